"""Writers of a plan: plan.json, Markdown, and the output directory."""
