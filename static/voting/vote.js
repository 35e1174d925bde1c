/* Hooks into window.SamskabRoom (static/workshops/room.js). */
(function () {
  "use strict";
})();
