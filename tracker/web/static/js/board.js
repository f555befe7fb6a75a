// The action board: drag a card to another column (SortableJS), or use its "Move…" menu.
// Either way the move is POSTed with the card's version and the CSRF header; the server's
// phase machine decides. The answer is the card as it now is, preceded by the refusal when
// the move was refused: the card then goes back where it was (or where the server says it
// is) and the reason is announced in the status region. Server text is only ever read as
// text (textContent), never inserted as markup from a refusal.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var status = document.getElementById("board-status");
  var token = board.getAttribute("data-csrf");

  function say(text, refused) {
    status.textContent = text;
    status.classList.toggle("is-refused", !!refused);
  }

  function column(phase) {
    return board.querySelector('.column__cards[data-phase="' + phase + '"]');
  }

  function recount() {
    board.querySelectorAll(".column__count").forEach(function (badge) {
      var phase = badge.getAttribute("data-count");
      var list = column(phase);
      var before = Number(badge.getAttribute("data-shown") || list.children.length);
      var delta = list.children.length - before;
      badge.textContent = String(Number(badge.textContent) + delta);
      badge.setAttribute("data-shown", String(list.children.length));
    });
  }

  function remember() {
    board.querySelectorAll(".column__count").forEach(function (badge) {
      badge.setAttribute("data-shown", String(column(badge.getAttribute("data-count")).children.length));
    });
  }

  // A card's "Move…" menu holds only a link until it is first opened: then its move forms are
  // fetched (the same forms the link's page shows) and put in the link's place. The promise is
  // kept on the menu so opening it twice, or opening it after a refusal, fetches once.
  function loadMoves(menu) {
    if (!menu._moves) {
      menu._moves = fetch(menu.getAttribute("data-moves") + "?back=" + encodeURIComponent(location.search), {
        credentials: "same-origin",
        headers: { "X-Board-Move": "1" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        var list = new DOMParser().parseFromString(html, "text/html").querySelector(".card__moves");
        var slot = menu.querySelector(".card__moves-slot");
        if (list && slot) { slot.replaceWith(document.adoptNode(list)); }
        return menu;
      }).catch(function (error) {
        menu._moves = null;  // the link stays: the next opening tries again
        throw error;
      });
    }
    return menu._moves;
  }

  // "toggle" does not bubble: listen while it travels down to the menu.
  board.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.classList && menu.classList.contains("card__menu") && menu.open) {
      loadMoves(menu).catch(function () {
        say("The moves of “" + titleOf(menu.closest("li.card")) + "” could not be loaded; its link opens them.", true);
      });
    }
  }, true);

  function putBack(card, from, index) {
    var anchor = from.children[index] || null;
    if (anchor === card) { return; }
    from.insertBefore(card, anchor);
  }

  function titleOf(card) {
    var link = card.querySelector(".card__title");
    return link ? link.textContent.trim() : "the item";
  }

  function phaseName(phase) {
    var head = document.getElementById("col-" + phase);
    return head ? head.firstChild.textContent.trim() : phase;
  }

  // POST the move; `from`/`index` say where the card was, to snap it back when refused.
  function move(card, to, reason, from, index) {
    var body = new URLSearchParams();
    body.set("to", to);
    body.set("version", card.getAttribute("data-version"));
    body.set("seen_activity", card.getAttribute("data-seen") || "0");
    if (reason) { body.set("reason", reason); }
    card.classList.add("is-saving");
    var title = titleOf(card);
    fetch("/app/board/items/" + card.getAttribute("data-item") + "/phase", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "X-Board-Move": "1" }
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (answer) {
      var doc = new DOMParser().parseFromString(answer.html, "text/html");
      var refusal = doc.querySelector(".refusal");
      var fresh = doc.querySelector("li.card");
      if (!answer.ok) { putBack(card, from, index); }
      if (fresh) {
        var home = column(fresh.getAttribute("data-phase"));
        if (home && home !== card.parentNode) { home.insertBefore(card, home.firstChild); }
        card.replaceWith(fresh);
        card = fresh;
      }
      card.classList.remove("is-saving");
      recount();
      if (answer.ok) {
        say("Moved “" + title + "” to " + phaseName(to) + ".", false);
      } else {
        say("“" + title + "” was not moved: " + (refusal ? refusal.textContent.trim() : "the server refused."), true);
        focusReason(card, to);
        return;
      }
      card.focus();
    }).catch(function () {
      putBack(card, from, index);
      card.classList.remove("is-saving");
      recount();
      say("“" + title + "” was not moved: the server could not be reached.", true);
    });
  }

  // After a refusal: when the refused move asks for a reason (blocking, cancelling), open the
  // card's menu at that field; otherwise the focus goes back to the card.
  function focusReason(card, to) {
    var menu = card.querySelector(".card__menu");
    if (!menu) { card.focus(); return; }
    loadMoves(menu).then(function () {
      var field = card.querySelector('.card-move[data-to="' + to + '"] input[name="reason"]');
      if (!field) { card.focus(); return; }
      menu.open = true;
      field.focus();
    }, function () { card.focus(); });
  }

  remember();
  board.querySelectorAll(".column__cards").forEach(function (list) {
    new Sortable(list, {
      group: "board",
      sort: false,  // order within a column is the deadline's, not the user's
      draggable: ".card--movable",
      filter: "details, a, button, input, label",
      preventOnFilter: false,
      animation: 150,
      // Pointer events rather than native drag and drop: one behaviour for mouse, pen and touch.
      forceFallback: true,
      onEnd: function (event) {
        if (event.from === event.to) { return; }
        move(event.item, event.to.getAttribute("data-phase"), "", event.from, event.oldIndex);
      }
    });
  });

  // The keyboard path: a "Move…" menu form, sent the same way (it also works without script).
  board.addEventListener("submit", function (event) {
    var form = event.target.closest(".card-move");
    if (!form) { return; }
    event.preventDefault();
    var card = form.closest("li.card");
    var from = card.parentNode;
    var index = Array.prototype.indexOf.call(from.children, card);
    var target = column(form.getAttribute("data-to"));
    var reason = form.querySelector('input[name="reason"]');
    if (target) { target.insertBefore(card, target.firstChild); }
    move(card, form.getAttribute("data-to"), reason ? reason.value : "", from, index);
  });
})();
