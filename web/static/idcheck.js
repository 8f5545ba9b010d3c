/* GB 11643 check character of an 18-character resident ID number, in the browser (the server still decides). */
"use strict";
(function () {
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const CHECK = "10X98765432";
  /** null when ``number`` is well formed, else "length" | "digits" | "check". */
  function problem(number) {
    if (number.length !== 18) return "length";
    if (!/^[0-9]{17}[0-9X]$/.test(number)) return "digits";
    let total = 0;
    for (let i = 0; i < 17; i++) total += Number(number[i]) * WEIGHTS[i];
    return CHECK[total % 11] === number[17] ? null : "check";
  }
  window.IdCheck = { problem: problem };
})();
