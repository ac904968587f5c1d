"use strict";
(() => {
  const body = document.querySelector("#entries tbody");
  const rows = Array.from(body.rows);
  const filters = Array.from(document.querySelectorAll("select[data-filter]"));
  const search = document.getElementById("q");
  const shown = document.getElementById("shown");
  const matches = (row, key, want) => {
    const have = row.dataset[key] || "";
    return !want || have === want || (key === "section" && have.startsWith(want + " \u203a "));
  };
  const apply = () => {
    const query = search.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const ok = filters.every((f) => matches(row, f.dataset.filter, f.value)) &&
        (!query || row.textContent.toLowerCase().includes(query));
      row.hidden = !ok;
      if (ok) count += 1;
    }
    shown.textContent = String(count);
  };
  filters.forEach((f) => f.addEventListener("change", apply));
  search.addEventListener("input", apply);
  let current = { key: "order", dir: 1 };
  const value = (row, key) => {
    const cell = row.cells[1];
    const raw = key === "name" ? (cell.querySelector("a") || cell).textContent.toLowerCase() : row.dataset[key];
    if (raw === undefined || raw === "") return null;
    const number = Number(raw);
    return Number.isNaN(number) ? raw : number;
  };
  document.querySelectorAll("button[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      const first = button.dataset.dir === "asc" ? 1 : -1;
      const dir = current.key === key ? -current.dir : first;
      current = { key, dir };
      // Keys read once per row, not per comparison; ties keep the list's order.
      const keyed = rows.map((row, index) => [value(row, key), index, row]);
      keyed.sort(([x, i], [y, j]) => {
        if (x === null || y === null) return x === y ? i - j : x === null ? 1 : -1;
        return (x < y ? -1 : x > y ? 1 : 0) * dir || i - j;
      });
      const moved = document.createDocumentFragment();
      keyed.forEach(([, , row]) => moved.appendChild(row));
      body.appendChild(moved);
      document.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
      document.querySelectorAll("button[data-active]").forEach((b) => b.removeAttribute("data-active"));
      button.closest("th").setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      button.dataset.active = dir > 0 ? "asc" : "desc";
    });
  });
  // A click anywhere on a column's header sorts by it (by its first key, where it has two).
  document.querySelectorAll("#entries thead th").forEach((th) => {
    const button = th.querySelector("button[data-sort]");
    if (!button) return;
    th.addEventListener("click", (event) => {
      if (!event.target.closest("button")) button.click();
    });
  });
})();
