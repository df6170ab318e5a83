"""From executed notebooks to the reader's editions: merge, captions, PDF (XeLaTeX), HTML pages, the site."""
