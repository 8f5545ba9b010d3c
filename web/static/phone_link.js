/* The phone link's page: open the registration at once (a server that prefetches the link never runs this). */
"use strict";
(function () {
  const form = document.getElementById("open-link");
  if (form) form.submit();
})();
