// Keyboard coding on the workbench's answer page. Without this script the page is a plain
// form: tick the boxes, choose a stance, press Save, follow the links.
// j / k: next / previous answer; 1-9: tick or untick the nth theme; Enter: save.
// Keys typed into the note (or any text field) are left alone.
const form = document.getElementById("coding-form");

function typing(target) {
  return target.closest("textarea, input[type=text], select, [contenteditable]") !== null;
}

function follow(id) {
  const link = document.getElementById(id);
  if (link) window.location.href = link.href;
}

if (form) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const boxes = form.querySelectorAll("input[name=themes]");
    if (/^[1-9]$/.test(event.key)) {
      const box = boxes[Number(event.key) - 1];
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (event.key === "j") {
      follow("next-answer");
    } else if (event.key === "k") {
      follow("previous-answer");
    } else if (event.key === "Enter" && event.target.tagName !== "BUTTON"
               && event.target.tagName !== "A") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
