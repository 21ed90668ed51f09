// A running live view, whichever renders it (live-view.ts's plain lines or live-panel.tsx's Ink
// panel): the one thing its starter needs back.
export interface LiveView {
  stop(): void;
}
