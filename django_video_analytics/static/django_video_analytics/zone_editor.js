/*
 * Zone editor of django-video-analytics' admin. No build step, no dependencies.
 *
 * Draws a zone's points over the camera's newest snapshot in an SVG overlay and writes them,
 * normalised to 0..1 and rounded to 4 decimals, into the points textarea, which stays the
 * form's field: the server validates what is posted, and without this script the textarea
 * alone works. A click adds a point, a drag moves one; clicking the first point (or Close
 * polygon) closes a zone; a line takes two points and Flip in side switches the form's
 * in_side, shown by an arrow. Points are focusable: arrow keys nudge, Delete removes.
 * Texts come translated from the widget's data-va-text-* attributes; no inline handlers.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var PLACEHOLDER = { width: 1600, height: 900 }; // 16:9, like most camera streams
  var HANDLE_RADIUS = 7; // screen pixels
  var DRAG_THRESHOLD = 3; // screen pixels a press may move and still be a click
  var NUDGE = 0.005;
  var BIG_NUDGE = 0.05;

  function clamp(value) {
    return Math.min(Math.max(value, 0), 1);
  }

  function round(value) {
    return Math.round(clamp(value) * 10000) / 10000;
  }

  function isCoordinate(value) {
    return typeof value === "number" && isFinite(value) && value >= 0 && value <= 1;
  }

  /* The [[x, y], ...] list in the textarea, or null when it holds anything else. */
  function parsePoints(text) {
    var value;
    try {
      value = JSON.parse(text.trim() || "[]");
    } catch (error) {
      return null;
    }
    if (!Array.isArray(value)) {
      return null;
    }
    for (var i = 0; i < value.length; i++) {
      var point = value[i];
      if (!Array.isArray(point) || point.length !== 2 || !point.every(isCoordinate)) {
        return null;
      }
    }
    return value.map(function (point) {
      return [point[0], point[1]];
    });
  }

  function svgElement(name, attributes) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    return element;
  }

  function Editor(root) {
    var field = document.getElementById(root.dataset.vaField);
    var elements = field.form.elements;
    this.root = root;
    this.field = field;
    this.kindField = elements.namedItem(root.dataset.vaKind);
    this.sideField = elements.namedItem(root.dataset.vaSide);
    this.cameraField = elements.namedItem(root.dataset.vaCamera);
    this.maxPoints = parseInt(root.dataset.vaMaxPoints, 10);
    this.image = root.querySelector(".va-zone-editor__image");
    this.placeholder = root.querySelector(".va-zone-editor__placeholder");
    this.svg = root.querySelector(".va-zone-editor__overlay");
    this.help = root.querySelector(".va-zone-editor__help");
    this.buttons = {};
    root.querySelectorAll("[data-va-action]").forEach(function (button) {
      this.buttons[button.dataset.vaAction] = button;
    }, this);
    this.points = [];
    this.closed = false;
    this.valid = true;
    this.selected = -1;
    this.drag = null;
    this.readField();
    this.bind();
    root.hidden = false;
    this.render();
  }

  Editor.prototype.isLine = function () {
    return Boolean(this.kindField) && this.kindField.value === "line";
  };

  /* Whether a click on the image adds a point. */
  Editor.prototype.canAdd = function () {
    if (!this.valid) {
      return false;
    }
    if (this.isLine()) {
      return this.points.length < 2;
    }
    return !this.closed && this.points.length < this.maxPoints;
  };

  Editor.prototype.readField = function () {
    var points = parsePoints(this.field.value);
    this.valid = points !== null;
    this.points = points || [];
    this.closed = this.points.length >= 3; // a stored zone is a closed polygon
    this.selected = Math.min(this.selected, this.points.length - 1);
  };

  Editor.prototype.write = function () {
    this.valid = true;
    var pairs = this.points.map(function (point) {
      return "[" + round(point[0]) + ", " + round(point[1]) + "]";
    });
    this.field.value = "[" + pairs.join(", ") + "]"; // as the server writes JSON
  };

  /* The viewBox size: the snapshot's pixels, or the placeholder's. */
  Editor.prototype.size = function () {
    if (!this.image.hidden && this.image.naturalWidth) {
      return { width: this.image.naturalWidth, height: this.image.naturalHeight };
    }
    return PLACEHOLDER;
  };

  /* The normalised point under a mouse or pointer event. */
  Editor.prototype.pointAt = function (event) {
    var box = this.svg.getBoundingClientRect();
    return [
      clamp((event.clientX - box.left) / box.width),
      clamp((event.clientY - box.top) / box.height),
    ];
  };

  Editor.prototype.bind = function () {
    var editor = this;
    this.svg.addEventListener("pointerdown", function (event) {
      editor.pointerDown(event);
    });
    this.svg.addEventListener("pointermove", function (event) {
      editor.pointerMove(event);
    });
    this.svg.addEventListener("pointerup", function (event) {
      editor.pointerUp(event);
    });
    this.svg.addEventListener("pointercancel", function () {
      editor.drag = null;
    });
    this.svg.addEventListener("keydown", function (event) {
      editor.keyDown(event);
    });
    this.svg.addEventListener("focusin", function (event) {
      var index = event.target.dataset && event.target.dataset.vaIndex;
      if (index !== undefined && editor.selected !== Number(index)) {
        editor.selected = Number(index);
        editor.render();
      }
    });
    Object.keys(this.buttons).forEach(function (action) {
      editor.buttons[action].addEventListener("click", function () {
        editor[action]();
      });
    });
    this.field.addEventListener("input", function () {
      editor.readField();
      editor.render();
    });
    [this.kindField, this.sideField].forEach(function (field) {
      if (field && field.addEventListener) {
        field.addEventListener("change", function () {
          editor.render();
        });
      }
    });
    if (this.cameraField && this.cameraField.addEventListener) {
      this.cameraField.addEventListener("change", function () {
        editor.loadSnapshot();
      });
    }
    this.image.addEventListener("load", function () {
      editor.render();
    });
    this.image.addEventListener("error", function () {
      editor.image.hidden = true; // a file deleted by retention, or media not served
      editor.placeholder.hidden = false;
      editor.render();
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        editor.render();
      }).observe(this.svg);
    }
  };

  Editor.prototype.pointerDown = function (event) {
    if (event.button !== 0) {
      return;
    }
    var index = event.target.dataset ? event.target.dataset.vaIndex : undefined;
    if (index !== undefined) {
      this.selected = Number(index);
      this.drag = { index: this.selected, x: event.clientX, y: event.clientY, moved: false };
      this.svg.setPointerCapture(event.pointerId);
      event.preventDefault(); // no text selection
      this.render();
      this.focusSelected();
    } else if (this.canAdd()) {
      this.points.push(this.pointAt(event));
      this.selected = this.points.length - 1;
      this.write();
      this.render();
    }
  };

  Editor.prototype.pointerMove = function (event) {
    var drag = this.drag;
    if (!drag) {
      return;
    }
    var distance = Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y);
    if (!drag.moved && distance < DRAG_THRESHOLD) {
      return;
    }
    drag.moved = true;
    this.points[drag.index] = this.pointAt(event);
    this.write();
    this.render();
  };

  Editor.prototype.pointerUp = function () {
    var drag = this.drag;
    this.drag = null;
    if (drag && !drag.moved && drag.index === 0 && !this.isLine() && !this.closed) {
      this.close(); // a click on the first point closes the polygon
    }
  };

  Editor.prototype.keyDown = function (event) {
    var index = event.target.dataset ? event.target.dataset.vaIndex : undefined;
    if (index === undefined) {
      return;
    }
    var point = this.points[Number(index)];
    var step = event.shiftKey ? BIG_NUDGE : NUDGE;
    var moves = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    if (moves[event.key]) {
      point[0] = clamp(point[0] + moves[event.key][0]);
      point[1] = clamp(point[1] + moves[event.key][1]);
      this.write();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      this.selected = Number(index);
      this.remove();
    } else if (event.key === "Enter" && Number(index) === 0 && !this.isLine()) {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    this.render();
  };

  Editor.prototype.focusSelected = function () {
    var handle = this.svg.querySelector('[data-va-index="' + this.selected + '"]');
    if (handle) {
      handle.focus();
    }
  };

  /* Button actions ---------------------------------------------------------------- */

  Editor.prototype.close = function () {
    if (this.points.length >= 3) {
      this.closed = true;
      this.render();
    }
  };

  Editor.prototype.flip = function () {
    if (this.sideField) {
      this.sideField.value = this.sideField.value === "right" ? "left" : "right";
      if (this.sideField.dispatchEvent) {
        this.sideField.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    this.render();
  };

  /* Removes the selected point, or the last one. */
  Editor.prototype.remove = function () {
    if (!this.points.length) {
      return;
    }
    var index = this.selected >= 0 ? this.selected : this.points.length - 1;
    this.points.splice(index, 1);
    this.selected = Math.min(index, this.points.length - 1);
    if (this.points.length < 3) {
      this.closed = false;
    }
    this.write();
    this.render();
  };

  Editor.prototype.clear = function () {
    this.points = [];
    this.closed = false;
    this.selected = -1;
    this.write();
    this.render();
  };

  Editor.prototype.loadSnapshot = function () {
    var editor = this;
    var camera = this.cameraField.value;
    var url = this.root.dataset.vaEndpoint + "?camera=" + encodeURIComponent(camera);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { url: null };
      })
      .catch(function () {
        return { url: null };
      })
      .then(function (data) {
        editor.showSnapshot(camera, data.url);
      });
  };

  Editor.prototype.showSnapshot = function (camera, url) {
    if (camera !== this.cameraField.value) {
      return; // the answer for a camera chosen before the current one
    }
    if (url) {
      this.image.src = url; // rendered on load
    } else {
      this.image.removeAttribute("src");
    }
    this.image.hidden = !url;
    this.placeholder.hidden = Boolean(url);
    this.render();
  };

  /* Drawing ------------------------------------------------------------------------ */

  Editor.prototype.render = function () {
    var size = this.size();
    var width = this.svg.getBoundingClientRect().width || size.width;
    var scale = size.width / width; // viewBox units per screen pixel
    var toView = function (point) {
      return [point[0] * size.width, point[1] * size.height];
    };
    var view = this.points.map(toView);
    var line = this.isLine();
    var svg = this.svg;
    var focused = svg.contains(document.activeElement); // a handle: focus its successor
    svg.setAttribute("viewBox", "0 0 " + size.width + " " + size.height);
    while (svg.firstChild) {
      svg.removeChild(svg.firstChild);
    }
    var list = view
      .map(function (point) {
        return point[0] + "," + point[1];
      })
      .join(" ");
    if (line && view.length === 2) {
      svg.appendChild(svgElement("polyline", { class: "va-zone-editor__shape", points: list }));
      this.drawArrow(view, scale);
    } else if (view.length >= 2) {
      var closed = !line && this.closed;
      var classes = "va-zone-editor__shape" + (closed ? " va-zone-editor__shape--closed" : "");
      svg.appendChild(svgElement(closed ? "polygon" : "polyline", { class: classes, points: list }));
    }
    var label = this.root.dataset.vaTextPoint;
    view.forEach(function (point, index) {
      var classes = "va-zone-editor__handle";
      if (index === this.selected) {
        classes += " va-zone-editor__handle--selected";
      }
      if (index === 0 && !line && !this.closed && view.length >= 3) {
        classes += " va-zone-editor__handle--first"; // click it to close
      }
      var handle = svgElement("circle", {
        class: classes,
        cx: point[0],
        cy: point[1],
        r: HANDLE_RADIUS * scale,
        tabindex: "0",
        role: "button",
        "data-va-index": String(index),
      });
      handle.setAttribute("aria-label", label.replace("{number}", String(index + 1)));
      svg.appendChild(handle);
    }, this);
    svg.classList.toggle("va-zone-editor__overlay--adding", this.canAdd());
    if (focused) {
      this.focusSelected();
    }
    this.renderTools();
  };

  /* An arrow from the line's middle towards its in side, with an "in" label. */
  Editor.prototype.drawArrow = function (view, scale) {
    var dx = view[1][0] - view[0][0];
    var dy = view[1][1] - view[0][1];
    var length = Math.sqrt(dx * dx + dy * dy);
    if (!length) {
      return;
    }
    // Left of first -> second as seen on the image (y down) is (dy, -dx): pipeline.zones.geometry.
    var sign = this.sideField && this.sideField.value === "right" ? -1 : 1;
    var nx = (sign * dy) / length;
    var ny = (-sign * dx) / length;
    var reach = 56 * scale;
    var head = 12 * scale;
    var mx = (view[0][0] + view[1][0]) / 2;
    var my = (view[0][1] + view[1][1]) / 2;
    var tx = mx + nx * reach;
    var ty = my + ny * reach;
    var d = [
      "M", mx, my, "L", tx, ty,
      "M", tx - nx * head + ny * head * 0.6, ty - ny * head - nx * head * 0.6,
      "L", tx, ty,
      "L", tx - nx * head - ny * head * 0.6, ty - ny * head + nx * head * 0.6,
    ].join(" ");
    this.svg.appendChild(svgElement("path", { class: "va-zone-editor__arrow", d: d }));
    var text = svgElement("text", {
      class: "va-zone-editor__in",
      x: tx + nx * 14 * scale,
      y: ty + ny * 14 * scale,
      "font-size": 16 * scale,
      "text-anchor": "middle",
      "dominant-baseline": "middle",
    });
    text.textContent = this.root.dataset.vaTextIn;
    this.svg.appendChild(text);
  };

  Editor.prototype.renderTools = function () {
    var line = this.isLine();
    var data = this.root.dataset;
    this.buttons.close.hidden = line;
    this.buttons.close.disabled = this.closed || this.points.length < 3;
    this.buttons.flip.hidden = !line;
    this.buttons.flip.disabled = !this.sideField;
    this.buttons.remove.disabled = !this.points.length;
    this.buttons.clear.disabled = !this.points.length && this.valid;
    if (!this.valid) {
      this.help.textContent = data.vaTextInvalid;
    } else if (this.canAdd()) {
      this.help.textContent = line ? data.vaTextLine : data.vaTextPolygon;
    } else {
      this.help.textContent = data.vaTextDone;
    }
  };

  function start() {
    document.querySelectorAll("[data-va-zone-editor]").forEach(function (root) {
      if (!root.vaZoneEditor) {
        root.vaZoneEditor = new Editor(root);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
