"""Sliders a screen reader can name and read out.

ipywidgets 8 draws a slider's handle (the element with role=slider that takes the keyboard)
with no accessible name, since its `description` is a <label> tied to nothing, and it announces
the raw value (0.6000000000000001) rather than the rounded readout a sighted learner sees. Each
explorer therefore carries a small script, in an Output widget that shows nothing: it gives
every slider handle on the page its `tooltip` (else its description) as name and its readout
as spoken value, again whenever they change.
"""
import ipywidgets
from IPython.display import Javascript

NAME_SLIDERS_JS = """(() => {
  if (window.nameSliders) { window.nameSliders(); return; }
  let queued = false;
  const nameAll = () => {
    queued = false;
    document.querySelectorAll('.widget-slider').forEach(slider => {
      const label = slider.querySelector('.widget-label');
      const handle = slider.querySelector('[role=slider]');
      const readout = slider.querySelector('.widget-readout');
      if (!label || !handle) return;
      const title = label.getAttribute('title');   // the tooltip ("null" when there is none)
      const name = (title && title !== 'null' ? title : label.textContent).trim();
      if (name && handle.getAttribute('aria-label') !== name) handle.setAttribute('aria-label', name);
      const shown = readout ? readout.textContent.trim() : '';
      if (shown && handle.getAttribute('aria-valuetext') !== shown) {
        handle.setAttribute('aria-valuetext', shown);
      }
    });
  };
  window.nameSliders = () => { if (!queued) { queued = true; requestAnimationFrame(nameAll); } };
  new MutationObserver(window.nameSliders).observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ['aria-valuetext', 'title']});
  window.nameSliders();
})();"""


def slider_namer():
    """An Output widget that shows nothing and runs NAME_SLIDERS_JS where it is displayed."""
    output = ipywidgets.Output(layout=ipywidgets.Layout(display="none"))
    output.append_display_data(Javascript(NAME_SLIDERS_JS))
    return output


def with_named_sliders(box):
    """``box`` (a VBox or an `interactive`) with a slider_namer() added as its last child."""
    box.children = tuple(box.children) + (slider_namer(),)
    return box


def sliders_of(widget):
    """Every slider inside ``widget``, depth first (for tests and for checking names)."""
    found = [widget] if isinstance(widget, (ipywidgets.FloatSlider, ipywidgets.IntSlider)) else []
    for child in getattr(widget, "children", ()):
        found += sliders_of(child)
    return found
