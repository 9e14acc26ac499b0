/* Inbox keyboard and selection. No inline scripts: loaded with defer from base.html.
 * j/k move, Enter open, x select, n not case-related, c case-related (case picker), f formal submission,
 * a assign to me, u undo the last decision, / search, ? shortcuts. Nothing fires while typing in a field or
 * while a dialog is open.
 *
 * A decision is one request however often it is pressed: each row's buttons are disabled while its request
 * is in flight, and every press carries an Idempotency-Key that stays the same until the answer arrives.
 */
(function () {
  "use strict";

  var currentId = null;
  var advanceAfterDecision = false;
  var lastChecked = null;
  var selected = new Set();

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  var pressKeys = {};

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  function messageIdOf(detail) {
    var params = detail.parameters || {};
    var id = params.get ? params.get("message") : params.message;
    return id ? String(id) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
    var id = messageIdOf(event.detail);
    if (id && event.detail.verb === "post") {
      if (!pressKeys[id]) pressKeys[id] = newKey();
      event.detail.headers["Idempotency-Key"] = pressKeys[id];
    }
  });

  function setBusy(event, busy) {
    var elt = event.detail && event.detail.elt;
    var config = event.detail && event.detail.requestConfig;
    if (!elt || !elt.closest || !config || config.verb !== "post") return;
    var scope = elt.closest("tr.row") || (elt.tagName === "FORM" ? elt : elt.closest("form"));
    if (!scope || scope.id === "row-actions") scope = elt.closest("tr.row");
    if (!scope) return;
    scope.classList.toggle("busy", busy);
    scope.setAttribute("aria-busy", busy ? "true" : "false");
    scope.querySelectorAll("button").forEach(function (button) { button.disabled = busy; });
  }

  document.addEventListener("htmx:beforeRequest", function (event) { setBusy(event, true); });
  document.addEventListener("htmx:afterRequest", function (event) {
    setBusy(event, false);
    var id = event.detail.requestConfig ? messageIdOf(event.detail.requestConfig) : "";
    if (id) delete pressKeys[id];
  });

  var undoTimer = null;
  var undoMessage = null;

  function hideUndo() {
    var toast = document.getElementById("undo-toast");
    if (toast) toast.hidden = true;
    undoMessage = null;
    if (undoTimer) { clearTimeout(undoTimer); undoTimer = null; }
  }

  function showUndo(detail) {
    var toast = document.getElementById("undo-toast");
    if (!toast || !detail || !detail.undoable) { hideUndo(); return; }
    toast.querySelector(".undo-label").textContent = detail.label || "";
    toast.hidden = false;
    undoMessage = String(detail.message);
    if (undoTimer) clearTimeout(undoTimer);
    undoTimer = setTimeout(hideUndo, (detail.seconds || 10) * 1000);
  }

  function undo() {
    var toast = document.getElementById("undo-toast");
    if (!toast || toast.hidden || !undoMessage || !window.htmx) return;
    var id = undoMessage;
    hideUndo();
    currentId = id;
    window.htmx.ajax("POST", toast.dataset.url, { values: { message: id }, swap: "none", source: toast });
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-rows tr.row"));
  }

  function currentRow() {
    return currentId ? document.getElementById("msg-" + currentId) : null;
  }

  function focusRow(row) {
    if (!row) return;
    rows().forEach(function (r) { r.classList.remove("current"); r.setAttribute("tabindex", "-1"); });
    row.classList.add("current");
    row.setAttribute("tabindex", "0");
    currentId = row.dataset.id;
    row.focus({ preventScroll: false });
  }

  function move(delta) {
    var all = rows();
    if (!all.length) return;
    // The highlighted row counts as where the caseworker is, focused or not: the first j moves on from it.
    var index = all.indexOf(currentRow());
    var next = index < 0 ? 0 : Math.min(Math.max(index + delta, 0), all.length - 1);
    focusRow(all[next]);
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function suggestedOption(row) {
    // The case the row's text refers to (or the matching hearing case), preselected in the case dialog.
    var label = document.createElement("label");
    label.className = "case-option";
    var radio = document.createElement("input");
    radio.type = "radio"; radio.name = "case"; radio.value = row.dataset.caseId; radio.checked = true;
    var number = document.createElement("strong");
    number.textContent = row.dataset.caseNumber;
    var hint = document.createElement("span");
    hint.className = "meta";
    var results = document.getElementById("dlg-case-results");
    hint.textContent = " (" + ((results && results.dataset.suggested) || "suggested") + ")";
    label.append(radio, " ", number, " " + row.dataset.caseTitle, hint);
    label.dataset.testid = "case-suggested";
    label.setAttribute("data-testid", "case-suggested");
    return label;
  }

  function addSuggestion(dialog, box) {
    var id = dialog.dataset.suggestFor;
    var row = id ? document.getElementById("msg-" + id) : null;
    if (!row || !row.dataset.caseId) return;
    var search = dialog.querySelector(".case-q");
    if (search && search.value.trim()) return;  // the caseworker searches for another case
    box.querySelectorAll('input[name=case][value="' + row.dataset.caseId + '"]').forEach(function (input) {
      input.closest("label").remove();
    });
    box.prepend(suggestedOption(row));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    // The search's first answer (on focus) replaces the results: the suggestion stays on top, chosen.
    var box = event.detail && event.detail.target;
    var dialog = box && box.classList && box.classList.contains("case-results") && box.closest("dialog");
    if (dialog) addSuggestion(dialog, box);
  });

  function openDialog(id, messageId, bulkIds) {
    var dialog = document.getElementById(id);
    if (!dialog) return;
    dialog.querySelectorAll("form").forEach(function (form) { form.reset(); });
    dialog.querySelectorAll(".case-results").forEach(function (box) { box.replaceChildren(); });
    dialog.querySelectorAll(".js-message-id").forEach(function (input) { input.value = messageId || ""; });
    // With rows selected (x) the dialog decides the selection: its note says how many.
    dialog.dataset.bulk = bulkIds && bulkIds.length ? bulkIds.join(" ") : "";
    dialog.querySelectorAll(".bulk-note").forEach(function (note) {
      note.hidden = !dialog.dataset.bulk;
      note.textContent = dialog.dataset.bulk ? note.dataset.some.replace("{n}", String(bulkIds.length)) : "";
    });
    dialog.dataset.suggestFor = messageId || "";
    var box = dialog.querySelector(".case-results");
    if (box) addSuggestion(dialog, box);
    dialog.showModal();
    var first = dialog.querySelector("textarea, input[type=search], input[type=text], button");
    if (first) first.focus();
  }

  document.addEventListener("submit", function (event) {
    // A dialog opened on a selection posts the selection to the bulk view (a full page answer with the
    // counts), not the one-row htmx decision. Capture phase: runs before htmx's own listener on the form.
    var dialog = event.target.closest && event.target.closest("dialog");
    if (!dialog || !dialog.dataset.bulk) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var bulk = document.getElementById("bulk-form");
    var post = document.createElement("form");
    post.method = "post";
    post.action = bulk.action;
    post.hidden = true;
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value;
      post.append(input);
    }
    new FormData(event.target).forEach(function (value, name) { if (name !== "message") add(name, value); });
    dialog.dataset.bulk.split(" ").forEach(function (id) { add("ids", id); });
    add("filter_query", bulk.querySelector("[name=filter_query]").value);
    document.body.append(post);
    dialog.close();
    post.submit();
  }, true);

  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
  }

  document.addEventListener("change", function (event) {
    if (event.target.id !== "all-matching") return;
    var label = document.getElementById("bulk-count");
    var n = matchingCount();
    if (event.target.checked && label && n) label.textContent = (label.dataset.all || "{n}").replace("{n}", n);
    else updateCount();
  });

  function updateCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    var n = document.querySelectorAll("#inbox-rows .row-check:checked").length;
    label.textContent = n ? (label.dataset.some || "{n}").replace("{n}", String(n)) : (label.dataset.none || "");
    label.dataset.count = String(n);
  }

  function matchingCount() {
    // The sidebar's count for the filter in force ("1 234", "10 000+"), or "" before the counts arrive.
    var active = document.querySelector('.status-link[aria-current="page"] .count');
    return active ? active.textContent.trim() : "";
  }

  function askBulk() {
    var form = document.getElementById("bulk-form");
    var dialog = document.getElementById("bulk-dialog");
    if (!form || !dialog) return;
    var all = document.getElementById("all-matching");
    var question;
    if (all && all.checked) {
      var n = matchingCount();
      question = n ? form.dataset.askAll.replace("{n}", n) : form.dataset.askAllUnknown;
    } else {
      var count = document.querySelectorAll("#inbox-rows .row-check:checked").length;
      if (!count) return;
      question = form.dataset.askSome.replace("{n}", String(count));
    }
    document.getElementById("bulk-question").textContent = question;
    dialog.showModal();
    var confirm = dialog.querySelector("[data-bulk-confirm]");
    if (confirm) confirm.focus();
  }

  document.addEventListener("submit", function (event) {
    // The bulk bar's own button asks first too; the dialog's confirmation submits for real.
    if (event.target.id === "bulk-form" && !event.target.dataset.confirmed) {
      event.preventDefault();
      askBulk();
    }
  });

  function toggle(row) {
    var box = row && row.querySelector(".row-check");
    if (!box) return;
    box.checked = !box.checked;
    remember(box);
  }

  function remember(box) {
    if (box.checked) selected.add(box.value); else selected.delete(box.value);
    updateCount();
  }

  function clickIn(row, key) {
    var button = row && row.querySelector('[data-key="' + key + '"]');
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("inbox")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (isTyping(event.target)) return;
    var row = currentRow();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": toggle(row); break;
      case "n":
        // With rows selected (x), n acts on the selection, after a confirmation with the count.
        if (selected.size) { askBulk(); break; }
        advanceAfterDecision = true; clickIn(row, "n"); break;
      // A filed row has no decision buttons: the archivist corrects it, the keys do nothing.
      // With rows selected (x), c and f decide the selection; the dialog names the count.
      case "c":
        if (selected.size) { openDialog("case-dialog", "", Array.from(selected)); break; }
        if (row && row.querySelector('[data-key="c"]')) openDialog("case-dialog", row.dataset.id);
        break;
      case "f":
        if (selected.size) { openDialog("formal-dialog", "", Array.from(selected)); break; }
        if (row && row.querySelector('[data-key="f"]')) openDialog("formal-dialog", row.dataset.id);
        break;
      case "a": clickIn(row, "a"); break;
      case "u": undo(); break;
      case "Enter":
        if (row && event.target === row) { row.querySelector(".row-link").click(); } else { return; }
        break;
      case "/": var search = document.querySelector('[data-testid="search"]'); if (search) search.focus(); break;
      case "?": openDialog("shortcuts-dialog"); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-testid=undo-button]")) { undo(); return; }
    if (target.closest("[data-bulk-confirm]")) {
      var bulk = document.getElementById("bulk-form");
      closeDialogs();
      bulk.dataset.confirmed = "1";
      bulk.submit();
      return;
    }
    if (target.matches("[data-close]")) {
      closeDialogs();
      if (currentRow()) currentRow().focus();
      return;
    }
    var button = target.closest("[data-key]");
    var row = target.closest("tr.row");
    if (row) currentId = row.dataset.id;
    if (button && button.dataset.key === "c") openDialog("case-dialog", row.dataset.id);
    if (button && button.dataset.key === "f") openDialog("formal-dialog", row.dataset.id);
    if (target.classList.contains("row-check")) {
      if (event.shiftKey && lastChecked && lastChecked !== target) {
        var boxes = Array.prototype.slice.call(document.querySelectorAll("#inbox-rows .row-check"));
        var a = boxes.indexOf(lastChecked), b = boxes.indexOf(target);
        boxes.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (box) {
          box.checked = target.checked; remember(box);
        });
      }
      lastChecked = target;
      remember(target);
    }
  });

  document.body.addEventListener("sorum:decided", function (event) {
    closeDialogs();
    showUndo(event.detail);
  });

  document.body.addEventListener("sorum:undone", function () {
    hideUndo();
    var row = currentRow();
    if (row) focusRow(row);
  });

  var hadRowFocus = false;

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    hadRowFocus = !!(active && active.closest && active.closest("tr.row")) || !!document.querySelector("dialog[open]");
  });

  document.addEventListener("htmx:afterSettle", function () {
    // Rows swapped in (decisions) or prepended (live) keep the caseworker's selection and place.
    document.querySelectorAll("#inbox-rows .row-check").forEach(function (box) {
      if (selected.has(box.value)) box.checked = true;
    });
    updateCount();
    var row = currentRow();
    if (!row) return;
    if (advanceAfterDecision) {
      advanceAfterDecision = false;
      var all = rows();
      var next = all[all.indexOf(row) + 1];
      focusRow(next || row);
    } else if (hadRowFocus && !document.querySelector("dialog[open]") && (document.activeElement === document.body || !document.activeElement)) {
      focusRow(row);
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var alert = document.getElementById("inbox-alert");
    if (event.detail && event.detail.target === alert && !alert.hidden) closeDialogs();
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("tr.row");
    if (row) {
      rows().forEach(function (r) { if (r !== row) r.classList.remove("current"); });
      row.classList.add("current");
      currentId = row.dataset.id;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    updateCount();
    var first = rows()[0];
    if (first) { first.setAttribute("tabindex", "0"); first.classList.add("current"); currentId = first.dataset.id; }
  });
})();
