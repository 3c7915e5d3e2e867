// Client pages (no inline script: the Content-Security-Policy allows this file only).
// Disabling the sign button after a valid submit spares a double click; the server refuses
// a second acceptance anyway.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("accept-form");
  if (form) {
    form.addEventListener("submit", () => {
      document.getElementById("sign").disabled = true;
    });
  }
});
