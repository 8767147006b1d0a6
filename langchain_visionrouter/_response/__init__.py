"""The router's answers -> LangChain messages, chunks and blocks; ``answers`` is the one place that judges a body.

Lenient in what it reads, and nothing dropped: unmapped fields are kept where ``answers`` documents.
"""
