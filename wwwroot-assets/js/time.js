// Every <time datetime="…"> in static HTML (a prerendered page, the list's rows) carries the exact time in UTC as its
// title; this turns the title into the reader's local time (the server does not know the browser's time zone),
// keeping UTC beside it. It runs again whenever Blazor adds or changes such an element. Interactive pages ask for
// the time zone itself (batchDashboard.timeZone) and show exact times in a tooltip.
window.batchDashboard = window.batchDashboard || {};
window.batchDashboard.timeZone = function () {
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch (e) {
        return null;
    }
};

(function () {
    var format;
    try {
        format = new Intl.DateTimeFormat(undefined, {
            year: "numeric", month: "short", day: "numeric",
            hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
        });
    } catch (e) {
        return;
    }

    function localize(element) {
        var value = element.getAttribute("datetime");
        var utc = element.getAttribute("data-utc");
        if (!value) {
            return;
        }
        var title = element.getAttribute("title") || "";
        // Interactive pages show the exact time in a tooltip of their own, with no title to localize.
        if (!title && utc === null) {
            return;
        }
        // The server's title is the UTC text; keep it once, then write "local (UTC)".
        if (utc === null || (title.indexOf(utc) < 0)) {
            utc = title;
            element.setAttribute("data-utc", utc);
        }
        var date = new Date(value);
        if (isNaN(date.getTime())) {
            return;
        }
        var text = format.format(date) + (utc ? " (" + utc + ")" : "");
        if (title !== text) {
            element.setAttribute("title", text);
        }
    }

    function localizeAll() {
        var elements = document.querySelectorAll("time[datetime]");
        for (var i = 0; i < elements.length; i++) {
            localize(elements[i]);
        }
    }

    var pending = false;
    function schedule() {
        if (!pending) {
            pending = true;
            requestAnimationFrame(function () { pending = false; localizeAll(); });
        }
    }

    document.addEventListener("DOMContentLoaded", localizeAll);
    new MutationObserver(schedule).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["datetime", "title"]
    });
})();
