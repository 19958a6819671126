// Copy-to-clipboard for every element with data-copy, through one delegated listener, so buttons rendered later
// by Blazor work too. Falls back to a hidden textarea where the Clipboard API is unavailable (plain-HTTP intranets).
(function () {
    function fallbackCopy(text) {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        var done = false;
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        document.body.removeChild(area);
        return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("[data-copy]") : null;
        if (!button) {
            return;
        }

        event.preventDefault();
        event.stopPropagation();
        var text = button.getAttribute("data-copy");
        var copy = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallbackCopy(text);
        copy.then(function () {
            button.setAttribute("data-copied", "true");
            setTimeout(function () { button.removeAttribute("data-copied"); }, 1500);
        }, function () {
            button.setAttribute("data-copied", "false");
        });
    });
})();
