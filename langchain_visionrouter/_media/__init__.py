"""Images, files, audio and video as the router takes them: checked, typed and sized before paying.

Pure checks over bytes and headers; Pillow work (resize, re-encode) is in ``resize``, imported lazily.
"""
