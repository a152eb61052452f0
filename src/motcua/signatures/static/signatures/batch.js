// "Select all" for the signing queue; the form works without it.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("chon-tat-ca");
  if (!all) return;
  const boxes = () => document.querySelectorAll('input[name="codes"]');
  all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
});
