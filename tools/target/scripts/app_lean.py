# On the board model: the demo app as app.py runs it, but with gc.mem_alloc() stubbed out
# in netrain.app and netrain.metrics: on rp2 each call walks the whole allocation table
# (about 7 ms at the app's heap), and the render loop makes three per frame. Shows what
# the frame loop costs without that accounting. Prints one line: RESULT {json}.
import netrain.app
import netrain.metrics

netrain.app.mem_alloc = netrain.metrics.mem_alloc = lambda: None

import target_app  # noqa: E402, F401 - app.py, put in the image by tools.target: runs it
