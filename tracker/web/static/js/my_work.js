// My work: after an action swaps its row in place, keep the keyboard where the person was.
// htmx puts focus back on a control that has the same id in the new row; when that control is
// gone (the item was finished, the snooze limit reached), focus moves to the row's outcome
// message instead, so it is read out and the next Tab continues from that row.
(function () {
  "use strict";
  var row = null;
  document.addEventListener("htmx:before:request", function (event) {
    var source = event.target && event.target.closest ? event.target.closest(".work") : null;
    row = source ? source.id : null;
  });
  document.addEventListener("htmx:after:settle", function () {
    if (!row) { return; }
    var id = row;
    row = null;
    var focused = document.activeElement;
    if (focused && focused !== document.body && document.contains(focused)) { return; }
    var outcome = document.getElementById(id + "-outcome");
    if (outcome) { outcome.focus(); }
  });
})();
