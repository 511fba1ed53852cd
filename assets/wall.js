/* Wall mode (/wall): a screen nobody touches.

   - Marks <html> with "wall-screen" (and "wall-screen-light") before the app's first paint, so
     the navigation bar is never drawn on a wall (assets/wall.css) and the background matches.
   - The clientside callbacks of the wall page: rotate the playlist, report the screen size, and
     keep Dash's undo history from growing with every timer tick.
   - Recovery without anyone at the screen: polls /version every 5-15 s (data-poll-ms on the
     page); reloads the page when the server runs a new build, or when the server answers again
     but the page's callbacks keep failing (e.g. after an upgrade changed them), or when the wall
     itself never arrived (its first update failed, so nothing would ever ask again). While the
     server cannot be reached, a banner says since when. Reloads wait a random 0-10 s so many
     screens do not return at once, and happen at most once every 5 minutes; a wall that never
     arrived tries again sooner (after 20 s, 40 s, 80 s... up to 5 minutes).
   Other pages are untouched: only the class toggle and a pass-through count of callback
   failures run outside /wall. */
(function () {
  "use strict";
  var POLL_MS = 15000;
  var FAILURES_BEFORE_RELOAD = 3;
  var RELOAD_SPACING_MS = 5 * 60 * 1000;
  var MISSING_FIRST_SPACING_MS = 20 * 1000;
  var HISTORY_KEEP = 10;
  var state = {build: null, failures: 0, lastFailureAt: 0, upSince: 0, downSince: null, timer: null, reloading: false};

  function onWall() {
    return /\/wall\/?$/.test(window.location.pathname);
  }

  function prefix() {
    try {
      var config = JSON.parse(document.getElementById("_dash-config").textContent);
      return config.requests_pathname_prefix || "/";
    } catch (error) {
      return "/";
    }
  }

  function jitter(ms) {
    return Math.round(ms * (0.8 + 0.4 * Math.random()));
  }

  function clock(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function offlineBanner(text) {
    var banner = document.getElementById("wall-offline");
    if (!text) {
      if (banner) { banner.remove(); }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "wall-offline";
      banner.className = "wall-offline";
      banner.setAttribute("role", "status");
      document.body.appendChild(banner);
    }
    banner.textContent = text;
  }

  function reloadSoon(reason, spacingMs) {
    if (state.reloading) { return; }
    var last = Number(window.sessionStorage.getItem("wall-reloaded-at") || 0);
    if (Date.now() - last < (spacingMs || RELOAD_SPACING_MS)) { return; }
    state.reloading = true;
    window.setTimeout(function () {
      window.sessionStorage.setItem("wall-reloaded-at", String(Date.now()));
      window.sessionStorage.setItem("wall-reload-reason", reason);
      window.location.reload();
    }, Math.round(10000 * Math.random()));
    return true;
  }

  function poll() {
    state.timer = null;
    if (!onWall()) { return; }
    window.fetch(prefix() + "version", {cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (state.downSince) { state.upSince = Date.now(); }
        state.downSince = null;
        offlineBanner(null);
        var drawn = document.getElementById("wall-root") !== null;
        var missed = Number(window.sessionStorage.getItem("wall-missing-reloads") || 0);
        if (drawn && missed) { window.sessionStorage.removeItem("wall-missing-reloads"); }
        if (!drawn && state.failures > 0) {
          // the wall never arrived (its first update failed) and nothing will ask again: fetch it afresh
          if (reloadSoon("the wall did not arrive", Math.min(RELOAD_SPACING_MS, MISSING_FIRST_SPACING_MS * Math.pow(2, missed)))) {
            window.sessionStorage.setItem("wall-missing-reloads", String(missed + 1));
          }
        } else if (state.build === null) {
          state.build = body.build;
        } else if (body.build !== state.build) {
          reloadSoon("new build " + body.build);
        } else if (state.failures >= FAILURES_BEFORE_RELOAD && state.lastFailureAt > state.upSince) {
          // the server answers, yet this page's updates still fail: start afresh
          reloadSoon(state.failures + " failed updates");
        }
      })
      .catch(function () {
        state.downSince = state.downSince || new Date();
        offlineBanner("⚠ Cannot reach the dashboard server since " + clock(state.downSince) +
          " (this screen's time): showing the last data. This screen retries by itself.");
      })
      .then(schedule);
  }

  function schedule() {
    if (state.timer === null && onWall()) {
      var root = document.getElementById("wall-root");
      var every = (root && Number(root.getAttribute("data-poll-ms"))) || POLL_MS;
      state.timer = window.setTimeout(poll, jitter(every));
    }
  }

  // Dash's renderer records every change of a callback input (each timer tick) for undo/redo,
  // without a bound: a wall would grow by thousands of entries a day. Nothing on a wall undoes,
  // so only the last few are kept.
  function trimHistory() {
    var store = window.store;
    var history = store && store.getState && store.getState().history;
    if (history && Array.isArray(history.past) && history.past.length > HISTORY_KEEP) {
      history.past.splice(0, history.past.length - HISTORY_KEEP);
    }
  }

  function watchCallbacks() {
    var original = window.fetch;
    window.fetch = function (input) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      var answer = original.apply(this, arguments);
      if (url.indexOf("_dash-update-component") === -1) { return answer; }
      return answer.then(function (response) {
        if (response.ok) {
          state.failures = 0;
        } else {
          state.failures += 1;
          state.lastFailureAt = Date.now();
        }
        return response;
      }, function (error) {
        state.failures += 1;
        state.lastFailureAt = Date.now();
        throw error;
      });
    };
  }

  function mark() {
    var wall = onWall();
    var light = wall && new URLSearchParams(window.location.search).get("theme") === "light";
    document.documentElement.classList.toggle("wall-screen", wall);
    document.documentElement.classList.toggle("wall-screen-light", light);
    if (wall) { schedule(); } else { offlineBanner(null); }
  }

  if (!window.__wallScreen) {
    window.__wallScreen = state;
    watchCallbacks();
    mark();
    window.addEventListener("popstate", mark);
    window.addEventListener("_dashprivate_pushstate", mark);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    wall: {
      rotate: function (n, className, config) {
        trimHistory();
        var count = config && config.count > 0 ? config.count : 1;
        var kept = String(className || "wall").split(/\s+/).filter(function (name) {
          return name && !/^wall-show-\d+$/.test(name);
        });
        kept.push("wall-show-" + ((n || 0) % count));
        return kept.join(" ");
      },
      viewport: function (n) {
        trimHistory();
        return {w: window.innerWidth, h: window.innerHeight, n: n || 0};
      }
    }
  });
})();
