"use strict";
// ecoplan review page behaviour. Highlight boundaries were computed by ecoplan; this only reacts to clicks,
// toggles and filters, and builds text with textContent (never innerHTML).
(function () {
  const items = JSON.parse(document.getElementById("items").textContent);
  const text = document.querySelector(".plan-text");
  const details = document.getElementById("details-body");
  const fillOrder = ["deadline", "target", "percentage", "task"];
  let focused = [];

  function segmentsOf(id) {
    return text ? text.querySelectorAll('.hl[data-ids~="' + id + '"]') : [];
  }

  function showDetails(ids) {
    details.replaceChildren();
    for (const id of ids) {
      const item = items[id];
      if (!item) continue;
      const box = document.createElement("div");
      box.className = "detail " + item.kind;
      const head = document.createElement("h3");
      head.textContent = item.kind + " " + id.replace(/^\D+/, "#") + (item.placed ? "" : " (not placed)");
      const list = document.createElement("dl");
      for (const [name, value] of item.fields) {
        const dt = document.createElement("dt");
        dt.textContent = name;
        const dd = document.createElement("dd");
        dd.textContent = value;
        list.append(dt, dd);
      }
      box.append(head, list);
      details.append(box);
    }
  }

  function markCurrent(selector, id) {
    for (const el of document.querySelectorAll(selector)) {
      el.classList.toggle("current", el.dataset.item === id);
    }
  }

  function focusItem(id, scroll) {
    for (const el of focused) el.classList.remove("focus");
    focused = Array.from(segmentsOf(id));
    for (const el of focused) el.classList.add("focus");
    markCurrent("tr[data-item], #unplaced li", id);
    if (scroll) {
      const target = focused[0] || document.getElementById("u-" + id);
      if (target) target.scrollIntoView({ block: "center", behavior: "auto" });
    }
  }

  if (text) {
    text.addEventListener("click", function (event) {
      const segment = event.target.closest(".hl");
      if (!segment) return;
      const ids = segment.dataset.ids.split(" ");
      focusItem(ids[0], false);
      showDetails(ids);
    });
  }

  for (const row of document.querySelectorAll("tr[data-item], #unplaced li")) {
    const open = function () {
      focusItem(row.dataset.item, true);
      showDetails([row.dataset.item]);
    };
    row.addEventListener("click", open);
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter") open();
    });
  }

  for (const link of document.querySelectorAll("#outline a")) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      const anchor = document.getElementById(link.getAttribute("href").slice(1));
      if (anchor) anchor.scrollIntoView({ block: "start", behavior: "auto" });
      for (const other of document.querySelectorAll("#outline a.current")) other.classList.remove("current");
      link.classList.add("current");
    });
  }

  // Kind toggles: a hidden kind loses its colour in the text and its side table.
  const hidden = new Set();
  function restyle() {
    for (const segment of document.querySelectorAll(".hl")) {
      const kinds = segment.dataset.kinds.split(" ").filter((k) => !hidden.has(k));
      segment.dataset.fill = fillOrder.find((k) => kinds.includes(k)) || "";
      segment.classList.toggle("dept", kinds.includes("department"));
    }
    for (const table of document.querySelectorAll(".side-table")) {
      table.hidden = hidden.has(table.dataset.kind);
    }
  }
  for (const box of document.querySelectorAll(".legend input[type=checkbox]")) {
    box.addEventListener("change", function () {
      if (box.checked) hidden.delete(box.dataset.kind);
      else hidden.add(box.dataset.kind);
      restyle();
    });
  }

  // Department filter: rows of the tasks naming it, and of the targets standing in those tasks.
  const filter = document.getElementById("dept-filter");
  filter.addEventListener("change", function () {
    const name = filter.value;
    for (const row of document.querySelectorAll("tr[data-item]")) {
      const item = items[row.dataset.item];
      row.hidden = name !== "" && !(item && item.departments.includes(name));
    }
  });
})();
