/* Ad-hoc analysis: check an upload's size in the browser, so a 50 MB file is refused with a
   message instead of being sent to the server. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  adhoc: {
    keep_small: function (contents, filename) {
      if (!contents) {
        return window.dash_clientside.no_update;
      }
      var limit = 5 * 1024 * 1024;
      var size = Math.floor((contents.length - contents.indexOf(",") - 1) * 3 / 4);
      if (size > limit) {
        return {filename: filename, too_large_bytes: size};
      }
      return {filename: filename, contents: contents};
    }
  }
});
