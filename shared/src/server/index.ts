// Server-only shared code lives here; the dashboard never imports this entry.
export {}
