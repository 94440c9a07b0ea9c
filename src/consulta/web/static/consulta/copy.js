// Progressive enhancement: a "Copy" button beside a read-only field holding a link. Without
// this script the button stays hidden and the link can still be selected and copied by hand.
function copyFrom(field) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(field.value);
  }
  // Plain http (a local trial): the older way, which needs the text selected.
  field.select();
  return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    copyFrom(field).then(
      () => { if (status) status.textContent = "Link copied."; },
      () => {
        field.select();
        if (status) status.textContent = "Copying failed: the link is selected, copy it by hand.";
      },
    );
  });
}
