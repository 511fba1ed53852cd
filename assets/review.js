/* Leadership review (/review): the PDF pack's start and progress (clientside callbacks that talk
   to /review/pack), and presentation mode (?present=1): one section per screen, ArrowRight /
   PageDown / Space next, ArrowLeft / PageUp back, Home / End, F full screen, Esc leaves.
   Keys act only while a .review-present element is on the page, so other pages are unaffected. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  review: {
    start_pack: async function (clicks) {
      if (!clicks) {
        return [window.dash_clientside.no_update, window.dash_clientside.no_update];
      }
      try {
        var response = await fetch('/review/pack', {
          method: 'POST',
          headers: {'Content-Type': 'application/json'},
          credentials: 'same-origin',
          body: JSON.stringify({search: window.location.search})
        });
        var state = await response.json();
        return [state, state.state !== 'running'];
      } catch (error) {
        return [{state: 'failed', message: 'The server did not answer; try again.'}, true];
      }
    },
    poll_pack: async function (ticks, job) {
      if (!job || !job.job || job.state !== 'running') {
        return [window.dash_clientside.no_update, true];
      }
      try {
        var response = await fetch('/review/pack/' + encodeURIComponent(job.job), {credentials: 'same-origin'});
        var state = await response.json();
        return [state, state.state !== 'running'];
      } catch (error) {
        return [{state: 'failed', message: 'Lost contact with the server while the pack was made; try again.'}, true];
      }
    }
  }
});

(function () {
  var current = 0;

  function root() {
    return document.querySelector('.review-present');
  }

  function sections() {
    var container = root();
    return container ? Array.prototype.slice.call(container.querySelectorAll('.review-section')) : [];
  }

  function show(index) {
    var all = sections();
    if (!all.length) {
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (section, position) {
      section.classList.toggle('review-current', position === current);
    });
    var counter = document.getElementById('review-present-counter');
    if (counter) {
      counter.textContent = (current + 1) + ' / ' + all.length;
    }
    if (window.Plotly) {
      all[current].querySelectorAll('.js-plotly-plot').forEach(function (graph) {
        window.Plotly.Plots.resize(graph);
      });
    }
    root().scrollTop = 0;
  }

  function leave() {
    if (document.fullscreenElement && document.exitFullscreen) {
      document.exitFullscreen();
    }
    var params = new URLSearchParams(window.location.search);
    params.delete('present');
    var query = params.toString();
    window.location.assign(window.location.pathname + (query ? '?' + query : ''));
  }

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  document.addEventListener('keydown', function (event) {
    if (!root() || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var tag = event.target && event.target.tagName ? event.target.tagName : '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      return;
    }
    var key = event.key;
    if (key === 'ArrowRight' || key === 'PageDown' || key === ' ' || key === 'Spacebar') {
      show(current + 1);
    } else if (key === 'ArrowLeft' || key === 'PageUp') {
      show(current - 1);
    } else if (key === 'Home') {
      show(0);
    } else if (key === 'End') {
      show(sections().length - 1);
    } else if (key === 'Escape') {
      leave();
    } else if (key === 'f' || key === 'F') {
      toggleFullScreen();
    } else {
      return;
    }
    event.preventDefault();
  });

  // Sections arrive after the page (a callback draws them): mark one as current when they do.
  new MutationObserver(function () {
    var container = root();
    if (container && !container.querySelector('.review-section.review-current') && sections().length) {
      show(current);
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
