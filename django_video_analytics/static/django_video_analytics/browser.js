/*
 * Keyboard navigation of the django-video-analytics events browser. No dependencies.
 *
 * j / ArrowDown and k / ArrowUp move between rows, Enter opens the row (its snapshot, else
 * its link), n / p follow the next / previous page. Keys typed into the filters are left alone.
 */
(function () {
  "use strict";

  function rows(browser) {
    return Array.prototype.slice.call(browser.querySelectorAll("[data-va-row]"));
  }

  function select(browser, index) {
    var all = rows(browser);
    if (!all.length) {
      return;
    }
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.setAttribute("aria-current", i === index ? "true" : "false");
      row.tabIndex = i === index ? 0 : -1;
    });
    all[index].focus();
    all[index].scrollIntoView({block: "nearest"});
  }

  function current(browser) {
    return rows(browser).findIndex(function (row) {
      return row.getAttribute("aria-current") === "true";
    });
  }

  function open(row) {
    var target = row.querySelector("[data-va-lightbox]") || row.querySelector("[data-va-open]");
    if (target) {
      target.click();
    }
  }

  function follow(browser, selector) {
    var link = browser.querySelector(selector);
    if (link) {
      window.location.assign(link.href);
    }
  }

  function start(browser) {
    var first = rows(browser)[0];
    if (first) {
      first.tabIndex = 0;
    }
    browser.addEventListener("click", function (event) {
      var row = event.target.closest("[data-va-row]");
      if (row) {
        select(browser, rows(browser).indexOf(row));
      }
    });
    document.addEventListener("keydown", function (event) {
      var typing = event.target.closest && event.target.closest("input, select, textarea, dialog");
      if (typing || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var index = current(browser);
      if (event.key === "j" || event.key === "ArrowDown") {
        select(browser, index + 1);
      } else if (event.key === "k" || event.key === "ArrowUp") {
        select(browser, index < 0 ? 0 : index - 1);
      } else if (event.key === "Enter" && index >= 0 && event.target.closest("[data-va-row]")) {
        open(rows(browser)[index]);
      } else if (event.key === "n") {
        follow(browser, "[data-va-next]");
      } else if (event.key === "p") {
        follow(browser, "[data-va-previous]");
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  function startAll() {
    document.querySelectorAll("[data-va-browser]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
