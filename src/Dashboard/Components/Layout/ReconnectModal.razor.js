// Opens the reconnect dialog when Blazor's script reports a lost connection, and closes it once reconnected.
// A module file, not inline script: the dashboard's CSP allows scripts of its own origin only.
const modal = document.getElementById("components-reconnect-modal");

if (modal) {
    modal.addEventListener("components-reconnect-state-changed", onStateChanged);
    document.getElementById("components-reconnect-button")?.addEventListener("click", retry);
    document.getElementById("components-resume-button")?.addEventListener("click", resume);
    document.getElementById("reconnect-reload-button")?.addEventListener("click", () => location.reload());
}

function onStateChanged(event) {
    switch (event.detail.state) {
        case "show":
            if (!modal.open) modal.showModal();
            break;
        case "hide":
            modal.close();
            break;
        case "failed":
            // A tab in the background gives up sooner than its reader would: try again when it is looked at.
            document.addEventListener("visibilitychange", retryWhenVisible);
            break;
        case "rejected":
            // The server no longer knows this circuit: only a new page can carry on.
            location.reload();
            break;
    }
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenVisible);
    try {
        if (await Blazor.reconnect()) return;
        // Reconnected to a server that has let the circuit go: resume it from its persisted state, else reload.
        if (await Blazor.resumeCircuit()) modal.close();
        else location.reload();
    } catch {
        document.addEventListener("visibilitychange", retryWhenVisible);
    }
}

async function resume() {
    try {
        if (!(await Blazor.resumeCircuit())) location.reload();
    } catch {
        modal.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
    }
}

async function retryWhenVisible() {
    if (document.visibilityState === "visible") await retry();
}
