// The workbench's only script of its own: markers as a clickable index of a testimony's
// recording. Without it, each marker is a link that opens the recording at that time
// (a media fragment, #t=seconds); with it, the page's own player seeks and plays.
"use strict";

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.marker[data-part]");
  if (!link) return;
  const audio = document.getElementById("audio-" + link.dataset.part);
  if (!audio) return;
  event.preventDefault();
  const seconds = Number(link.dataset.seconds);
  const seek = () => {
    audio.currentTime = seconds;
    audio.play().catch(() => {});  // a browser may refuse to play without a gesture
  };
  // Players load nothing until asked (preload="none"), so the access log's "play" means
  // someone listened, not that the page was opened.
  if (audio.readyState >= 1) seek();
  else {
    audio.addEventListener("loadedmetadata", seek, { once: true });
    audio.load();
  }
  audio.closest(".part")?.scrollIntoView({ block: "nearest" });
  document.querySelectorAll("li.current").forEach((li) => li.classList.remove("current"));
  link.closest("li")?.classList.add("current");
});
