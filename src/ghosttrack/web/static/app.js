// The overview's "Run tracking now": POST /api/v1/runs, then follow the job until it ends.
"use strict";
(function () {
  const form = document.getElementById("run-form");
  if (!form) return;
  const button = document.getElementById("run-button");
  const status = document.getElementById("run-status");
  const progress = document.getElementById("run-progress");
  const bar = document.getElementById("run-bar");

  function show(text, share, state) {
    status.textContent = text;
    progress.hidden = false;
    progress.className = "progress" + (state ? " " + state : "");
    bar.style.width = Math.round(Math.max(0, Math.min(1, share)) * 100) + "%";
  }

  async function follow(jobId) {
    for (;;) {
      const answer = await fetch("/api/v1/jobs/" + jobId, { credentials: "same-origin" });
      const job = await answer.json();
      if (!answer.ok) throw new Error(job.error || answer.statusText);
      const c = job.counts || {};
      if (job.status === "running") {
        const total = c.total || 0;
        show("job " + job.id + " running: " + (c.done || 0) + " of " + total + " videos",
             job.progress === null ? 0.05 : job.progress, "");
      } else {
        const ok = job.status === "succeeded";
        show("job " + job.id + " " + job.status + ": tracked " + (c.tracked || 0) +
             " videos in " + (c.calls || 0) + " calls" + (job.error ? " (" + job.error + ")" : ""),
             1, ok ? "done" : "failed");
        return job;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const limit = document.getElementById("run-limit").value;
    const body = { kind: "tracking" };
    if (limit) body.limit = Number(limit);
    button.disabled = true;
    show("starting…", 0.02, "");
    try {
      const answer = await fetch("/api/v1/runs", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const reply = await answer.json();
      if (answer.status === 401 || answer.status === 403) {
        window.location = "/login?next=/";
        return;
      }
      if (!answer.ok) throw new Error(reply.error || answer.statusText);
      if (!reply.started) status.textContent = "a tracking run was going already: following it";
      await follow(reply.job.id);
      setTimeout(() => window.location.reload(), 1500);  // fresh figures after the run
    } catch (error) {
      show("could not run: " + error.message, 1, "failed");
    } finally {
      button.disabled = false;
    }
  });
})();
