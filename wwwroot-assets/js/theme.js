// Themes: with no choice stored, the page follows the system (and its changes); a choice (light or dark) is remembered in
// localStorage and applied before the page paints. The switch's buttons ([data-theme-choice]) are handled through
// one delegated listener, and their pressed state is kept right as Blazor renders them. A file, not inline script,
// so the CSP can forbid inline scripts.
(function () {
    var key = "bd-theme";

    function stored() {
        try {
            var value = localStorage.getItem(key);
            return value === "light" || value === "dark" ? value : "system";
        } catch (e) {
            return "system"; // Storage can be blocked (privacy settings, sandboxed iframes).
        }
    }

    var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    var current = "system";

    // data-theme is always the theme in force (light or dark), the system's when no choice is made, so one
    // attribute selects the palette (MudBlazor's dark palette is scoped to :root[data-theme="dark"]);
    // data-theme-chosen says what was chosen.
    function apply(choice) {
        current = choice;
        var theme = choice === "light" || choice === "dark" ? choice : (media && media.matches ? "dark" : "light");
        document.documentElement.setAttribute("data-theme", theme);
        document.documentElement.setAttribute("data-theme-chosen", choice);
        markButtons(choice);
    }

    if (media && media.addEventListener) {
        media.addEventListener("change", function () {
            if (current === "system") {
                apply("system");
            }
        });
    }

    function markButtons(choice) {
        var buttons = document.querySelectorAll("[data-theme-choice]");
        for (var i = 0; i < buttons.length; i++) {
            var pressed = buttons[i].getAttribute("data-theme-choice") === choice ? "true" : "false";
            if (buttons[i].getAttribute("aria-pressed") !== pressed) {
                buttons[i].setAttribute("aria-pressed", pressed);
            }
        }
    }

    // A host that frames the dashboard passes its own look in the address: ?theme=light|dark&density=compact.
    // It is kept for the tab (sessionStorage), so it holds as the person moves between the dashboard's pages.
    function fromHost(name, allowed) {
        var value = null;
        try {
            value = new URLSearchParams(window.location.search).get(name);
            if (allowed.indexOf(value) >= 0) {
                sessionStorage.setItem("bd-host-" + name, value);
            } else {
                value = sessionStorage.getItem("bd-host-" + name);
            }
        } catch (e) {
            // Storage blocked: the address alone decides.
        }
        return allowed.indexOf(value) >= 0 ? value : null;
    }

    var hostTheme = fromHost("theme", ["light", "dark"]);
    var density = fromHost("density", ["compact", "comfortable"]);
    if (density) {
        document.documentElement.setAttribute("data-density", density);
    }

    apply(hostTheme || stored());

    document.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("[data-theme-choice]") : null;
        if (!button) {
            return;
        }
        var choice = button.getAttribute("data-theme-choice");
        try {
            if (choice === "system") { localStorage.removeItem(key); } else { localStorage.setItem(key, choice); }
        } catch (e) {
            // Not remembered, but still applied to this page.
        }
        apply(choice);
    });

    // Blazor renders the switch (first prerendered, then again when the circuit starts): mark it each time.
    new MutationObserver(function () { markButtons(hostTheme || stored()); })
        .observe(document.documentElement, { childList: true, subtree: true });
})();
