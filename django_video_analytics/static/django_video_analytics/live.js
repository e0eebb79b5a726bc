/*
 * Live counters of django-video-analytics. No build step, no dependencies.
 *
 * Finds the elements rendered by {% live_counter %} and {% line_counter %} (data-va-live =
 * the endpoint URL), polls each endpoint once per interval with all the cameras and zones
 * on the page, and writes the new figures in.
 * Polling pauses while the tab is hidden and backs off when the endpoint fails.
 */
(function () {
  "use strict";

  if (window.djangoVideoAnalyticsLive) {
    return; // the script tag appeared twice on the page
  }
  window.djangoVideoAnalyticsLive = true;

  var MAX_DELAY_MS = 60000;
  var CHANGED_CLASS = "va-live-counter--changed";

  function endpointUrl(base, counters) {
    var url = new URL(base, window.location.href);
    var ids = {camera: new Set(), zone: new Set()};
    counters.forEach(function (el) {
      if (el.dataset.vaZone) {
        ids.zone.add(el.dataset.vaZone);
      } else if (el.dataset.vaCamera) {
        ids.camera.add(el.dataset.vaCamera);
      } else {
        url.searchParams.set("overall", "1");
      }
    });
    Object.keys(ids).forEach(function (name) {
      ids[name].forEach(function (id) {
        url.searchParams.append(name, id);
      });
    });
    return url;
  }

  // The {value, display} of an element: a zone's crossings in one direction, or a
  // camera's (or all cameras') count of one kind in one period.
  function counterOf(el, data) {
    if (el.dataset.vaZone) {
      var zone = (data.zones || {})[el.dataset.vaZone];
      return zone && zone[el.dataset.vaDirection];
    }
    var summary = el.dataset.vaCamera ? (data.cameras || {})[el.dataset.vaCamera] : data.overall;
    var counts = summary && summary[el.dataset.vaPeriod];
    return counts && counts[el.dataset.vaKind];
  }

  function show(counters, data) {
    counters.forEach(function (el) {
      var counter = counterOf(el, data);
      if (!counter || el.title === String(counter.value)) {
        return;
      }
      el.textContent = counter.display;
      el.title = String(counter.value);
      el.classList.add(CHANGED_CLASS);
      window.setTimeout(function () {
        el.classList.remove(CHANGED_CLASS);
      }, 1500);
    });
  }

  function poll(base, counters) {
    var every = Math.max(1000, Math.min.apply(null, counters.map(function (el) {
      return parseInt(el.dataset.vaEvery, 10) || 5000;
    })));
    var delay = every;
    var url = endpointUrl(base, counters);

    function tick() {
      if (document.hidden) {
        window.setTimeout(tick, every);
        return;
      }
      window.fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          show(counters, data);
          delay = every;
        })
        .catch(function () {
          delay = Math.min(delay * 2, MAX_DELAY_MS);
        })
        .then(function () {
          window.setTimeout(tick, delay);
        });
    }

    window.setTimeout(tick, every);
  }

  function start() {
    var byEndpoint = new Map();
    document.querySelectorAll("[data-va-live]").forEach(function (el) {
      var base = el.dataset.vaLive;
      if (!byEndpoint.has(base)) {
        byEndpoint.set(base, []);
      }
      byEndpoint.get(base).push(el);
    });
    byEndpoint.forEach(function (counters, base) {
      poll(base, counters);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
