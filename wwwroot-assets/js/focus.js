// Keeps the keyboard's place when a live update redraws a list: the server sends the batch list's rows as one block
// of HTML, so the control that had the focus is replaced by a copy of itself and the focus falls back to the page.
// This puts it back on the same control of the same row ([data-batch-id]), unless the reader had moved it elsewhere.
(function () {
    var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
    var last = null; // { id, index, element }: the control in a row that had the focus

    function rowOf(element) {
        return element && element.closest ? element.closest("[data-batch-id]") : null;
    }

    document.addEventListener("focusin", function (event) {
        var row = rowOf(event.target);
        last = row ? {
            id: row.getAttribute("data-batch-id"),
            index: Array.prototype.indexOf.call(row.querySelectorAll(FOCUSABLE), event.target),
            element: event.target
        } : null;
    });

    // Focus leaving a control that is still in the page was moved by the reader: forget it. (A control removed
    // with the focus on it is no longer in the page when this runs.)
    document.addEventListener("focusout", function (event) {
        var left = last;
        setTimeout(function () {
            if (last === left && left && left.element.isConnected) {
                last = null;
            }
        }, 0);
    });

    new MutationObserver(function () {
        if (!last || last.element.isConnected || last.index < 0) {
            return;
        }
        var active = document.activeElement;
        if (active && active !== document.body) {
            return;
        }
        var rows = document.querySelectorAll("[data-batch-id]");
        for (var i = 0; i < rows.length; i++) {
            if (rows[i].getAttribute("data-batch-id") === last.id) {
                var target = rows[i].querySelectorAll(FOCUSABLE)[last.index];
                if (target) {
                    target.focus({ preventScroll: true });
                }
                return;
            }
        }
        last = null; // the row left the page
    }).observe(document.documentElement, { childList: true, subtree: true });
})();
