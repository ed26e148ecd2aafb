/* The search box of an org picker (core/orgtree.py): typing narrows the options of the
   select named by data-org-filter, in the same form or section, to those whose name holds
   the text (the chosen option stays). The box belongs to no form (form=""), so it is never
   submitted and typing in it triggers no filter of the page. */
(function () {
  "use strict";
  function pickerOf(input) {
    var name = input.dataset.orgFilter;
    var scope = input.closest("form, section, fieldset") || document;
    return scope.querySelector("select[name='" + name + "']") ||
      document.querySelector("select[name='" + name + "']");
  }
  function narrow(input) {
    var select = pickerOf(input);
    if (!select) { return; }
    var text = input.value.trim();
    Array.prototype.forEach.call(select.options, function (o) {
      var name = o.dataset.name;
      o.hidden = Boolean(text && name && name.indexOf(text) < 0 && !o.selected);
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.dataset && e.target.dataset.orgFilter) { e.stopPropagation(); }
  }, true);
  document.addEventListener("input", function (e) {
    if (e.target.dataset && e.target.dataset.orgFilter) { narrow(e.target); }
  });
}());
