/*
 * Snapshot lightbox of django-video-analytics. No build step, no dependencies.
 *
 * A click on a snapshot rendered by {% event_snapshot %} (a[data-va-lightbox]) opens it, with
 * its boxes, in a modal <dialog>; Escape, the close button or a click outside closes it and
 * focus returns to the snapshot. Without the script (or <dialog>) the link opens the image.
 */
(function () {
  "use strict";

  if (window.djangoVideoAnalyticsSnapshots) {
    return; // the script tag appeared twice on the page
  }
  window.djangoVideoAnalyticsSnapshots = true;

  var dialog = null;
  var opener = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "va-lightbox";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "va-lightbox__close";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        dialog.close(); // the backdrop
      }
    });
    dialog.addEventListener("close", function () {
      if (opener) {
        opener.focus();
      }
    });
    dialog.appendChild(close);
    document.body.appendChild(dialog);
    return dialog;
  }

  function open(link) {
    var box = dialog || build();
    var figure = link.closest(".va-snapshot").cloneNode(true);
    var cloned = figure.querySelector("[data-va-lightbox]");
    var frame = document.createElement("div"); // the same content, no longer a link
    while (cloned.firstChild) {
      frame.appendChild(cloned.firstChild);
    }
    cloned.replaceWith(frame);
    figure.querySelector("img").loading = "eager";
    var previous = box.querySelector(".va-snapshot");
    if (previous) {
      previous.remove();
    }
    box.setAttribute("aria-label", link.querySelector("img").alt);
    box.appendChild(figure);
    opener = link;
    box.showModal();
    box.querySelector(".va-lightbox__close").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-va-lightbox]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    if (typeof HTMLDialogElement !== "function" || !link.closest(".va-snapshot")) {
      return;
    }
    event.preventDefault();
    open(link);
  });
})();
