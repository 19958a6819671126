// Keeps the keyboard's place in the batch list when a live update redraws it: the rows are one block of HTML shared
// by every view (BatchListRowsMarkup), so the control that had the focus is replaced by a copy of itself and the
// focus falls back to the page. This puts it back on the same control of the same batch's row (the row's cell with
// data-batch-id names it), unless the reader had moved it elsewhere.
(function () {
    var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
    var last = null; // { id, index, element }: the control in a batch's row that had the focus

    function idOf(element) {
        var row = element && element.closest ? element.closest("tr") : null;
        var cell = row ? row.querySelector("[data-batch-id]") : null;
        return cell ? { row: row, id: cell.getAttribute("data-batch-id") } : null;
    }

    document.addEventListener("focusin", function (event) {
        var found = idOf(event.target);
        last = found ? {
            id: found.id,
            index: Array.prototype.indexOf.call(found.row.querySelectorAll(FOCUSABLE), event.target),
            element: event.target
        } : null;
    });

    // Focus leaving a control that is still in the page was moved by the reader: forget it. (A control removed
    // with the focus on it is no longer in the page when this runs.)
    document.addEventListener("focusout", function () {
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
        var cell = document.querySelector("[data-batch-id=\"" + CSS.escape(last.id) + "\"]");
        var row = cell ? cell.closest("tr") : null;
        if (!row) {
            last = null; // the row left the page
            return;
        }
        var target = row.querySelectorAll(FOCUSABLE)[last.index];
        if (target) {
            target.focus({ preventScroll: true });
        }
    }).observe(document.documentElement, { childList: true, subtree: true });
})();
