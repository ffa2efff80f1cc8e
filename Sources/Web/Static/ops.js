// Pages with unfinished runs refresh every 5 seconds, keeping the scroll position.
(function () {
  if (!document.body || document.body.dataset.live !== "1") return;
  var key = "scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved) window.scrollTo(0, parseInt(saved, 10));
  setTimeout(function () {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }, 5000);
})();
