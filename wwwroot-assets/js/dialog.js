// Modal dialogs ([aria-modal="true"]): Tab and Shift+Tab stay inside, and when the dialog closes the focus goes back
// to the element that had it before it opened (or to the page's main region when that element is gone).
(function () {
    var returnTo = null;
    var open = null;

    function focusable(root) {
        return Array.prototype.filter.call(
            root.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])"),
            function (el) { return !el.disabled && el.offsetParent !== null; });
    }

    document.addEventListener("focusin", function (event) {
        var dialog = event.target.closest ? event.target.closest("[aria-modal='true']") : null;
        if (dialog && open !== dialog) {
            open = dialog;
            var from = event.relatedTarget;
            returnTo = from && !dialog.contains(from) ? from : returnTo;
        }
    });

    document.addEventListener("keydown", function (event) {
        if (event.key !== "Tab" || !open || !document.contains(open)) {
            return;
        }
        var items = focusable(open);
        if (items.length === 0) {
            return;
        }
        var first = items[0], last = items[items.length - 1];
        if (event.shiftKey && (document.activeElement === first || !open.contains(document.activeElement))) {
            event.preventDefault();
            last.focus();
        } else if (!event.shiftKey && (document.activeElement === last || !open.contains(document.activeElement))) {
            event.preventDefault();
            first.focus();
        }
    });

    new MutationObserver(function () {
        if (open && !document.contains(open)) {
            open = null;
            var target = returnTo && document.contains(returnTo) ? returnTo : document.getElementById("main");
            returnTo = null;
            if (target && (!document.activeElement || document.activeElement === document.body)) {
                target.focus();
            }
        }
    }).observe(document.documentElement, { childList: true, subtree: true });
})();
