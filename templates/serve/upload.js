// xxgk serve 上传页：把拖入的文件放进文件选择框，列出已选文件并提示过大的文件。
// 不用脚本也能上传（普通的表单提交）；本脚本只从本服务加载，不访问任何其他地址。
(function () {
  "use strict";
  var form = document.getElementById("upload");
  var input = document.getElementById("file");
  var drop = document.getElementById("drop");
  var list = document.getElementById("chosen");
  if (!form || !input || !drop || !list) { return; }
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 0;

  function megabytes(n) { return (n / 1024 / 1024).toFixed(1) + " MB"; }

  function show() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      var item = document.createElement("li");
      item.textContent = files[i].name + "（" + megabytes(files[i].size) + "）";
      if (maxBytes && files[i].size > maxBytes) {
        item.className = "too-big";
        item.textContent += " 文件过大，超过上限 " + megabytes(maxBytes);
      }
      list.appendChild(item);
    }
    if (maxFiles && files.length > maxFiles) {
      var note = document.createElement("li");
      note.className = "too-big";
      note.textContent = "一次最多上传 " + maxFiles + " 个文件";
      list.appendChild(note);
    }
  }

  function stop(event) { event.preventDefault(); event.stopPropagation(); }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) { stop(event); drop.className = "drop over"; });
  });
  ["dragleave", "dragend"].forEach(function (name) {
    document.addEventListener(name, function () { drop.className = "drop"; });
  });
  document.addEventListener("drop", function (event) {
    stop(event);
    drop.className = "drop";
    if (event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
  form.addEventListener("submit", function (event) {
    // A file over the limit would be refused by the server (413) after the whole upload: say so at once.
    var files = input.files || [];
    var big = [];
    for (var i = 0; i < files.length; i++) {
      if (maxBytes && files[i].size > maxBytes) { big.push(files[i].name); }
    }
    var problem = document.getElementById("problem");
    if (big.length || (maxFiles && files.length > maxFiles)) {
      event.preventDefault();
      problem.textContent = big.length
        ? "文件过大，未上传：" + big.join("、") + "（每个文件不超过 " + megabytes(maxBytes) + "）"
        : "一次最多上传 " + maxFiles + " 个文件";
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    document.getElementById("busy").hidden = false;
    document.getElementById("submit").disabled = true;
  });
  window.addEventListener("pageshow", function () {  // back from the results: the form works again
    document.getElementById("busy").hidden = true;
    document.getElementById("submit").disabled = false;
  });
  show();
}());
