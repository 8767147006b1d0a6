"""HTTP to the router: bounded reads, pooled clients, SSE, the one retry loop per flavour.

Knows nothing of chat completions: a prepared request goes in, judged JSON or an open stream comes out.
"""
