// The timeline page's only script, embedded by timeline_html.rs and allowed by the page's
// Content-Security-Policy through its SHA-256 hash (computed when the page is written).
// It reads the layout from data attributes and never builds HTML from strings: event
// details are cloned from the server-rendered list, so untrusted text stays text.
(function () {
  "use strict";
  var svg = document.getElementById("chart");
  var scroll = document.getElementById("scroll");
  var detail = document.getElementById("detail");
  var overview = document.getElementById("overview");
  var viewport = document.getElementById("viewport");
  var zoomLabel = document.getElementById("zoom-level");
  if (!svg || !scroll || !detail) {
    return;
  }
  var ppd = parseFloat(svg.getAttribute("data-ppd"));
  var days = parseFloat(svg.getAttribute("data-days"));
  var pad = parseFloat(svg.getAttribute("data-pad"));
  var placed = svg.querySelectorAll("[data-d]");
  var zoom = 1;
  var MAX_ZOOM = 64;

  function scale() {
    return ppd * zoom;
  }

  function updateViewport() {
    if (!viewport) {
      return;
    }
    var k = scale();
    viewport.setAttribute("x", (scroll.scrollLeft / k).toFixed(2));
    viewport.setAttribute("width", Math.min(days, scroll.clientWidth / k).toFixed(2));
  }

  // Re-position every time-placed group for the current zoom, keeping the day at the
  // centre of the view where it was.
  function apply(newZoom) {
    var oldK = scale();
    var centre = (scroll.scrollLeft + scroll.clientWidth / 2) / oldK;
    zoom = Math.max(1, Math.min(MAX_ZOOM, newZoom));
    var k = scale();
    svg.setAttribute("width", (days * k + pad).toFixed(0));
    for (var i = 0; i < placed.length; i++) {
      var g = placed[i];
      var x = parseFloat(g.getAttribute("data-d")) * k;
      g.setAttribute("transform", "translate(" + x.toFixed(1) + ",0)");
      var len = g.getAttribute("data-len");
      if (len !== null) {
        var w = Math.max(parseFloat(len) * k, 2).toFixed(1);
        var bars = g.querySelectorAll(".bar");
        for (var j = 0; j < bars.length; j++) {
          bars[j].setAttribute("width", w);
        }
      }
    }
    var ppm = k * 30.44;
    svg.classList.toggle("m-long", ppm >= 30);
    svg.classList.toggle("m-short", ppm >= 12 && ppm < 30);
    svg.classList.toggle("all-years", k * 365.25 >= 44);
    scroll.scrollLeft = centre * k - scroll.clientWidth / 2;
    if (zoomLabel) {
      zoomLabel.textContent = zoom + "\u00d7";
    }
    updateViewport();
  }

  function select(index, reveal) {
    var previous = svg.querySelector(".event.selected");
    if (previous) {
      previous.classList.remove("selected");
    }
    var mark = document.getElementById("m" + index);
    var article = document.getElementById("e" + index);
    if (!mark || !article) {
      return;
    }
    mark.classList.add("selected");
    var copy = article.cloneNode(true);
    copy.removeAttribute("id");
    detail.replaceChildren(copy);
    var group = article.closest("details");
    if (group) {
      group.open = true;
    }
    if (reveal) {
      var x = parseFloat(mark.getAttribute("data-d")) * scale();
      scroll.scrollLeft = x - scroll.clientWidth / 2;
    }
  }

  svg.addEventListener("click", function (e) {
    var g = e.target.closest(".event");
    if (g) {
      select(g.getAttribute("data-index"), false);
    }
  });
  svg.addEventListener("keydown", function (e) {
    var g = e.target.closest(".event");
    if (g && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      select(g.getAttribute("data-index"), false);
    }
  });
  var list = document.getElementById("events");
  if (list) {
    list.addEventListener("click", function (e) {
      var link = e.target.closest(".show-on-chart");
      if (link) {
        e.preventDefault();
        select(link.getAttribute("data-index"), true);
        scroll.scrollIntoView({ block: "nearest" });
      }
    });
  }
  var buttons = { "zoom-in": 2, "zoom-out": 0.5, "zoom-reset": 0 };
  Object.keys(buttons).forEach(function (id) {
    var b = document.getElementById(id);
    if (b) {
      b.addEventListener("click", function () {
        apply(buttons[id] === 0 ? 1 : zoom * buttons[id]);
      });
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("input, textarea")) {
      return;
    }
    if (e.key === "+" || e.key === "=") {
      apply(zoom * 2);
    } else if (e.key === "-") {
      apply(zoom / 2);
    } else if (e.key === "0") {
      apply(1);
    }
  });
  if (overview) {
    overview.addEventListener("click", function (e) {
      var box = overview.getBoundingClientRect();
      var day = ((e.clientX - box.left) / box.width) * days;
      scroll.scrollLeft = day * scale() - scroll.clientWidth / 2;
    });
  }
  scroll.addEventListener("scroll", updateViewport);
  window.addEventListener("resize", updateViewport);
  updateViewport();
  // A link to "page.html#event-3" opens with event 3 (counted from 0) selected.
  var wanted = /^#event-(\d+)$/.exec(window.location.hash);
  if (wanted) {
    select(wanted[1], true);
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
