// The talent portal: request form with per-file upload progress, recent requests refreshed every 5 s,
// approval actions. No framework; every state change carries the session's CSRF token.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  if (!csrf) return;
  csrf = csrf.getAttribute("content");
  var body = document.body;
  var maxBytes = Number(body.dataset.maxFileBytes || 0);
  var maxFiles = Number(body.dataset.maxFiles || 10);
  var chosen = [];

  function $(id) { return document.getElementById(id); }
  function fail(message) { $("form-error").textContent = message || ""; }
  function accepted(file) { return /^(image|video|audio)\//.test(file.type || ""); }

  function post(url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) throw new Error(json.error || ("HTTP " + response.status));
        return json;
      });
    });
  }

  function refresh(id) {
    var box = $(id);
    return fetch(box.dataset.fragment, { credentials: "same-origin" }).then(function (r) {
      if (r.ok) return r.text().then(function (html) { box.innerHTML = html; }); // server-escaped fragment
    });
  }

  function renderFiles() {
    var list = $("file-list");
    list.textContent = "";
    chosen.forEach(function (file, index) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + " (" + (file.size / 1e6).toFixed(1) + " MB)";
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0; bar.id = "progress-" + index;
      var remove = document.createElement("button");
      remove.type = "button"; remove.textContent = "Remove";
      remove.addEventListener("click", function () { chosen.splice(index, 1); renderFiles(); });
      item.appendChild(name); item.appendChild(bar); item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function add(files) {
    fail("");
    Array.prototype.forEach.call(files, function (file) {
      if (chosen.length >= maxFiles) { fail("At most " + maxFiles + " files per request."); return; }
      if (!accepted(file)) { fail(file.name + " is not a picture, video or sound file."); return; }
      if (maxBytes && file.size > maxBytes) { fail(file.name + " is larger than " + (maxBytes / 1e6).toFixed(0) + " MB."); return; }
      if (file.size === 0) { fail(file.name + " is empty."); return; }
      chosen.push(file);
    });
    renderFiles();
  }

  var drop = $("drop");
  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) { e.preventDefault(); drop.classList.remove("over"); add(e.dataTransfer.files); });
  $("files").addEventListener("change", function (e) { add(e.target.files); e.target.value = ""; });

  $("request-form").addEventListener("submit", function (e) {
    e.preventDefault();
    fail("");
    var form = new FormData();
    document.querySelectorAll('input[name="account"]:checked').forEach(function (box) { form.append("account", box.value); });
    form.append("prompt", $("prompt").value);
    var sizes = chosen.map(function (f) { return f.size; });
    chosen.forEach(function (file) { form.append("file", file, file.name); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/me/requests");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", function (p) {
      if (!p.lengthComputable) return;
      var sent = p.loaded, start = 0;
      sizes.forEach(function (size, index) {
        var bar = $("progress-" + index);
        if (bar) bar.value = Math.max(0, Math.min(100, (sent - start) / Math.max(1, size) * 100));
        start += size;
      });
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201) {
        sizes.forEach(function (_, index) { var bar = $("progress-" + index); if (bar) bar.value = 100; });
        $("submit").dataset.sent = JSON.parse(xhr.responseText).request_id;
        setTimeout(function () { chosen = []; renderFiles(); $("prompt").value = ""; }, 600);
        refresh("requests");
      } else {
        var message = "The request was refused.";
        try { message = JSON.parse(xhr.responseText).error || message; } catch (ignored) {}
        fail(message);
      }
      $("submit").disabled = false;
    });
    xhr.addEventListener("error", function () { fail("The upload failed: check your connection."); $("submit").disabled = false; });
    $("submit").disabled = true;
    xhr.send(form);
  });

  $("queue").addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) return;
    var article = button.closest("[data-variant]");
    var action = null, data = {};
    if (button.classList.contains("approve-all")) {
      post("/me/requests/" + button.dataset.request + "/approve-all").then(function () { refresh("queue"); }, function (err) { alert(err.message); });
      return;
    }
    if (!article) return;
    if (button.classList.contains("approve")) action = "approve";
    if (button.classList.contains("reject")) {
      action = "reject"; data.reason = article.querySelector("input.reason").value;
      if (!data.reason.trim()) { alert("Say why, so the next drafts get better."); return; }
    }
    if (button.classList.contains("edit")) {
      var caption = prompt("Caption", article.querySelector(".caption").textContent);
      if (caption === null) return;
      action = "caption"; data.caption = caption;
    }
    if (button.classList.contains("reschedule")) {
      var when = article.querySelector("input.when").value;
      action = "reschedule"; data.scheduled_for = when ? new Date(when).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
    }
    if (!action) return;
    post("/me/variants/" + article.dataset.variant + "/" + action, data).then(function () { refresh("queue"); }, function (err) { alert(err.message); });
  });

  document.querySelectorAll("form.sign-out").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch("/me/sign-out", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
        .then(function () { location.reload(); });
    });
  });

  setInterval(function () {
    refresh("requests");
    // Replacements drafted after a rejection appear by themselves, unless the talent is typing in the queue.
    var typing = document.activeElement && $("queue").contains(document.activeElement) && document.activeElement.tagName === "INPUT";
    if (!typing) refresh("queue");
  }, 5000);
})();
