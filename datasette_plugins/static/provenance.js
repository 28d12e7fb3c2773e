// Copy buttons on claim pages: copy the text of the element named by data-copy.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (!target || !navigator.clipboard) return;
  navigator.clipboard.writeText(target.innerText).then(() => {
    button.textContent = "Copied";
  });
});

// A link to a passage of a source (/source/ID#ev-X) whose page of passages does not hold
// it: ask for the page that does (?ev=X). Claim pages link with ?ev= already.
document.addEventListener("DOMContentLoaded", () => {
  const anchor = decodeURIComponent(location.hash.slice(1));
  if (!anchor.startsWith("ev-") || document.getElementById(anchor) || !document.querySelector("article.source")) return;
  const url = new URL(location.href);
  if (url.searchParams.has("ev") || url.searchParams.has("full")) return;
  url.searchParams.set("ev", anchor.slice(3));
  location.replace(url.toString());
});
