// If the WebAssembly module cannot load or traps outside Rust's panic hook, say so
// instead of leaving a silently dead page. The Rust side shows the same banner on panic.
window.addEventListener("error", function (event) {
  if (document.getElementById("fatal-error")) return;
  var banner = document.createElement("div");
  banner.id = "fatal-error";
  banner.className = "fatal-error";
  banner.setAttribute("role", "alert");
  // The theme the user chose, if the page had started (style.css reads `data-theme`).
  var app = document.querySelector(".app");
  if (app && app.dataset.theme) banner.dataset.theme = app.dataset.theme;
  banner.innerHTML = "<strong>Raft Explorer stopped working.</strong> <span></span> " +
    '<button type="button" onclick="location.reload()">Reload</button>';
  banner.querySelector("span").textContent = String(event.message || "An unexpected error occurred.");
  document.body.prepend(banner);
});
