/* Supplier scorecards (/suppliers): the search box's query string goes into the address bar.

   Dash's pages draw the whole page anew whenever the URL component reports a new query string,
   which would take the caret out of the search box after each pause in typing. So the address is
   replaced here (no navigation, and no history entry per pause), and the URL component is then
   given the address it already shows: it leaves the address, and the page, as they are, while the
   callbacks that build URLs from it (the filter bar, the commodity) keep the search. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  suppliers: {
    show_search: function (search) {
      var no = window.dash_clientside.no_update;
      if (typeof search !== "string" || search.charAt(0) !== "?" || !/\/suppliers\/?$/.test(window.location.pathname)) {
        return [no, no];  // not a query string, or the page was left meanwhile
      }
      if (search.replace(/^\?$/, "") !== window.location.search) {
        window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
      }
      return [window.location.search, window.location.href];
    }
  }
});
