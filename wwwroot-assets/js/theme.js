// Applies the theme the user chose last time (light or dark) before the page paints; with no choice
// stored, tokens.css follows the system. Loaded as a file, not inline, so the CSP can forbid inline scripts.
(function () {
    try {
        var theme = localStorage.getItem("bd-theme");
        if (theme === "light" || theme === "dark") {
            document.documentElement.setAttribute("data-theme", theme);
        }
    } catch (e) {
        // Storage can be blocked (privacy settings, sandboxed iframes): the system theme applies.
    }
})();
