"""Every number the notebooks' prose states, and every word naming a figure's encoding, is backed.

**Numbers.** Each markdown cell, and each figure's alt text, is split into sentences; in each sentence every number written in
digits is a claim: decimals, integers (counts), percentages, powers of ten (``10⁻⁵``,
``2 \\times 10^{20}``, ``1e-7``) and times (``662 ns``: the number counts, the unit is read as
prose). A claim is backed when, ignoring its sign,

1. a code cell of the same notebook prints it, equal at the precision the prose shows (the
   printed value rounded to the prose's last written digit, half up or half to even; a whole
   number's trailing zeros are not significant: "6,000" is backed by a printed 6,000 or 5,987),
   from a printed value that is at least that precise; only stable outputs count, not those
   of cells tagged ``nbval-ignore-output`` (timings, widgets), which change from run to run;
2. or it is a number literal of a code cell (an input the prose restates, like ``eps=3e-4``,
   or a value an assert checks), with the same rounding rule;
3. or the sentence names another notebook ("notebook 01's 111 calls") and that notebook prints
   it, by the same rule;
4. or it is in ``ALLOWED``, one small table of constants with the reason each needs no printout.

Not claims, and skipped: anything in a code span or a link target; subscripts, superscripts and
fractions in math and in Unicode (indices such as ``W^{(3)}_{21}``, ``w₁₁⁽¹⁾``, and exponents
such as ``x^2``; only powers of 2 and 10 are numbers); digits that are part of a word
(``float64``, ``1st``); list numbers at the start of a line; references to a notebook,
exercise, question, section, cell or equation (``notebook 02``, ``Exercise 3``, ``BP1–BP4``);
a year in a citation ("Kaynak, 1998"); numbers written as words ("two routes").

**Encoding words.** "solid", "dashed", "dotted", "dash-dotted" and colour names ("orange",
"sky blue", "grey", ...) name what a figure draws. `plots.show_figure` stores each figure's line
styles and colours in words next to its alt text (`plots.encoding.figure_encoding`). A word in
a markdown cell must be among the encodings of the figures shown by the code cells right before
or after it (up to the neighbouring markdown cells); a cell with no figure there is checked
against all the notebook's figures (it refers to one further up). A figure's alt text is
checked against that figure alone. A notebook whose stored outputs carry no encodings yet
cannot be checked, and that test is skipped.

A failure names the notebook, the cell index and the sentence.
"""

import copy
import io
import re
import tokenize
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from backprop_helpers.plots.encoding import colour_names, dash_name, figure_encoding
from backprop_helpers.plots.style import OKABE_ITO

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("0*.ipynb"))

# Numbers the prose may state without a printout: each with its reason.
ALLOWED = {
    "2^-53": "float64's unit round-off, a definition (u = eps/2 in the code)",
    "709": "where math.exp overflows: log of the largest float64, ≈ 709.78, a fact of the format",
}


def _notebook_name(path):
    return Path(path).name[:2]


# --- reading numbers --------------------------------------------------------------------------

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
NUMBER = re.compile(r"""
    (?<![\w.^])                               # not inside a word, an index or a number
    (?P<mantissa>\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u202f\u2009\u00a0]\d{3})+(?![\d.,])|\d+)
    (?P<fraction>\.\d+)?
    (?:e(?P<exp>[-+]?\d+))?                   # 1e-7, 4e+06 (also what pow_ten writes)
    (?P<power>\^\{?(?P<pexp>-?\d+)\}?)?       # 2^{-53}: a power of 2 (10^k is rewritten as 1ek)
    (?P<percent>\s?%)?
    (?![\w])
""", re.VERBOSE)
CITATION = re.compile(r"\b[A-Z][a-z]+(?: et al\.)?, (?:19|20)\d\d\b")
REFERENCE = re.compile(
    r"\b(?:notebooks?|exercises?|ex\.|questions?|sections?|cells?|chapters?|ch\.|equations?|eq\.|"
    r"BP)\s*\[?\d+(?:\.\d+)?\]?(?:\s*(?:,|and|or|to|–|-|—)\s*(?:BP)?\d+(?:\.\d+)?)*", re.IGNORECASE)


def _unicode_indices_out(text):
    """Drop Unicode indices (w₁₁⁽¹⁾, δ⁽ˡ⁾); turn 10⁻⁵ and 2⁻⁵³ into 10^{-5}; drop x², n³."""
    text = re.sub(r"⁽[^⁾]*⁾|[₀-₉₊₋₍₎ₗₖⱼᵢₙₘ]+|[ˡᵏʲⁱⁿᵐᵀ]", "", text)

    def power(match):
        base, exponent = match.group(1), match.group(2).translate(SUPERSCRIPTS)
        return f"{base}^{{{exponent}}}" if base in ("2", "10") or base.endswith(("·10", "×10")) \
            else base
    return re.sub(r"(\d+|\w)([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)", power, text)


def _math_indices_out(text):
    """In LaTeX: drop fractions, subscripts and superscripts that are not powers of 2 or 10."""
    text = re.sub(r"\\[td]?frac\s*(?:\{[^{}]*\}|\S)\s*(?:\{[^{}]*\}|\S)", " ", text)
    text = re.sub(r"_\{[^{}]*\}|_\\?\w", "", text)
    text = re.sub(r"(?<![\d}])\^\{[^{}]*\}|(?<![\d}])\^\\?\w", "", text)  # x^2, W^{(3)}
    text = re.sub(r"(?<!\b10)(?<!\b2)\^\{[^{}]*\}|(?<!\b10)(?<!\b2)\^\d+", "", text)
    return text


def prose_text(markdown):
    """The markdown with code, links, HTML and index-like digits removed (see the docstring)."""
    text = markdown.replace("−", "-").replace("\\,", " ").replace("\\!", "")
    text = re.sub(r"`[^`]*`", " ", text)                         # code spans
    text = re.sub(r"\]\([^)]*\)", "]", text)                     # link targets
    text = re.sub(r"<[^>]+>|https?://\S+", " ", text)
    text = _unicode_indices_out(text)
    text = _math_indices_out(text)
    text = re.sub(r"(?m)^\s*(?:#+\s*)?\d+\.(?:\s|$)", " ", text)  # list and heading numbers
    text = REFERENCE.sub(" ", text)
    text = CITATION.sub(" ", text)
    # a mantissa times a power of ten becomes one number: 2 \times 10^{20}, 4.2·10⁻¹⁸ -> 2e20
    text = re.sub(r"(\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×|·|\*)\s*10\^\{?(-?\d+)\}?", r"\1e\2", text)
    text = re.sub(r"(?<![\d.])10\^\{?(-?\d+)\}?", r"1e\1", text)
    return text.replace("\\%", "%")


class Number:
    """A number as written: its value and the place of its last significant digit."""

    def __init__(self, text, value, place, percent=False):
        self.text, self.value, self.place, self.percent = text, value, place, percent

    def __repr__(self):
        return f"Number({self.text!r})"


def read_numbers(text, whole_zeros_count=True):
    """Every number written in ``text`` (already cleaned by `prose_text` if it is prose).

    ``whole_zeros_count=False`` makes a whole number's trailing zeros not significant (prose:
    "6,000" is a rounded count); printed whole numbers are exact."""
    numbers = []
    for match in NUMBER.finditer(text):
        digits = re.sub(r"[ ,\u202f\u2009\u00a0]", "", match["mantissa"]) + (match["fraction"] or "")
        try:
            value = Decimal(digits) * (Decimal(10) ** int(match["exp"] or 0))
        except InvalidOperation:
            continue
        place = int(match["exp"] or 0) - len((match["fraction"] or ".")[1:])
        if match["power"]:
            if digits not in ("2", "10"):
                continue
            numbers.append(Number(f"{digits}^{match['pexp']}", Decimal(digits) ** int(match["pexp"]),
                                  None))
            continue
        if not match["fraction"] and not whole_zeros_count and digits != "0":
            place += len(digits) - len(digits.rstrip("0"))
        numbers.append(Number(match.group(0).strip(), abs(value), place, bool(match["percent"])))
    return numbers


def _equal_at(claim_value, claim_place, printed):
    if printed.place is None or printed.place > claim_place:
        return False
    quantum = Decimal(1).scaleb(claim_place)
    return any(printed.value.quantize(quantum, rounding=mode) == claim_value.quantize(quantum)
               for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def backs(claim, printed):
    """Whether the printed number backs the claim at the claim's precision."""
    if claim.place is None:                       # a power of 2 such as 2^-53: exact only
        return printed.value == claim.value
    values = [claim.value] + ([claim.value / 100] if claim.percent else [])
    places = [claim.place] + ([claim.place - 2] if claim.percent else [])
    return any(_equal_at(value, place, printed) for value, place in zip(values, places))


# --- reading a notebook -----------------------------------------------------------------------

def _ignored(cell):
    return "nbval-ignore-output" in cell.metadata.get("tags", [])


def printed_text(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            text = output.get("data", {}).get("text/plain", "")
            if not text.startswith(("<Figure size", "Figure: ")):  # a figure, or its caption:
                parts.append(text)                                # the alt text, not a printout
    return "\n".join(parts)


def code_literals(source):
    """The number literals of a code cell (IPython's % and ! lines left out)."""
    python = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    literals = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(python).readline):
            if token.type == tokenize.NUMBER and not token.string.endswith(("j", "J")):
                literals += read_numbers(token.string.replace("_", ""))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return literals


def backing_numbers(notebook):
    """What may back a claim: the stable printed numbers and the code literals."""
    numbers = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            numbers += code_literals(cell.source)
            if not _ignored(cell):
                numbers += read_numbers(printed_text(cell).replace("−", "-"))
    return numbers


def sentences(markdown):
    """The sentences of a markdown cell: paragraphs and list items, split after . ? ! ;"""
    blocks = re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)|\n(?=\|)|(?<=\$\$)\n", markdown)
    for block in blocks:
        for sentence in re.split(r"(?<=[.?!;])\s+(?=[A-Z$*(\[])", block):
            if sentence.strip():
                yield " ".join(sentence.split())


def _other_notebooks(sentence, name):
    """The other notebooks a sentence names, e.g. {"01"} for "notebook 01's count"."""
    named = set()
    for match in re.finditer(r"\bnotebooks? ((?:0\d)(?:(?:, | and | or |–)0\d)*)", sentence, re.IGNORECASE):
        named.update(re.findall(r"0\d", match.group(1)))
    return named - {name}


def _backing_of(name):
    path = next((p for p in NOTEBOOKS if _notebook_name(p) == name), None)
    return backing_numbers(_read(path)) if path is not None else []


def unbacked_numbers(notebook, name, allowed=ALLOWED, backing_of=_backing_of):
    """One line per claim that nothing backs: notebook, cell index, the number, the sentence.
    ``backing_of(name)`` gives another notebook's backing numbers (for a sentence naming it)."""
    backing = backing_numbers(notebook)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            texts = [("", cell.source)]
        else:
            texts = [("the alt text: ", alt) for alt in alt_texts(cell)]
        for what, text in texts:
            for sentence in sentences(text):
                claims = read_numbers(prose_text(sentence), whole_zeros_count=False)
                others = [n for other in sorted(_other_notebooks(sentence, name)) if claims
                          for n in backing_of(other)]
                for claim in claims:
                    if claim.text in allowed or any(backs(claim, number) for number in backing + others):
                        continue
                    problems.append(f"notebook {name}, cell {index}: {claim.text!r} is not printed "
                                    f"in this notebook: {what}{sentence!r}")
    return problems


def alt_texts(cell):
    for output in cell.get("outputs", []):
        alt = output.get("metadata", {}).get("image/png", {}).get("alt")
        if alt:
            yield alt


# --- encoding words ---------------------------------------------------------------------------

ENCODING_WORDS = [  # (pattern, canonical word), longest first
    (r"dash-?dott?ed|dash-?dot", "dash-dotted"), (r"dashed", "dashed"), (r"dotted", "dotted"),
    (r"solid", "solid"), (r"sky[ -]blue|light blue", "sky blue"),
    (r"bluish[ -]green", "bluish green"), (r"reddish[ -]purple", "reddish purple"),
    (r"vermill?ion", "vermillion"), (r"gr[ae]y", "grey"), (r"black", "black"),
    (r"white", "white"), (r"orange", "orange"), (r"yellow", "yellow"), (r"green", "green"),
    (r"blue", "blue"), (r"red", "red"), (r"purple", "purple"), (r"pink", "pink"),
]
STYLE_WORDS = {"solid", "dashed", "dotted", "dash-dotted"}


def encoding_words(text):
    """The encoding words of a text, canonical ("gray" -> "grey"), code spans left out."""
    text = re.sub(r"`[^`]*`", " ", text).lower()
    words = []
    for pattern, word in ENCODING_WORDS:
        found = re.findall(rf"\b(?:{pattern})\b", text)
        words += [word] * len(found)
        text = re.sub(rf"\b(?:{pattern})\b", " ", text)
    return words


def figure_records(cell):
    """(alt text, encoding) of each figure a code cell shows, if its output carries them."""
    for output in cell.get("outputs", []):
        meta = output.get("metadata", {}).get("image/png", {})
        if "encoding" in meta:
            yield meta.get("alt", ""), meta["encoding"]


def _names(encoding):
    return set(encoding["line_styles"]) | set(encoding["colours"])


def wrong_encoding_words(notebook, name):
    """One line per encoding word that no figure it can describe draws."""
    cells = notebook.cells
    records = {i: list(figure_records(c)) for i, c in enumerate(cells) if c.cell_type == "code"}
    everything = set().union(*(_names(e) for rs in records.values() for _, e in rs))
    problems = []
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            for alt, encoding in records[index]:
                for word in set(encoding_words(alt)) - _names(encoding):
                    problems.append(f"notebook {name}, cell {index}: the alt text says {word!r}, "
                                    f"the figure draws {sorted(_names(encoding))}: {alt!r}")
            continue
        near = set()
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(cells) and cells[j].cell_type == "code":
                near |= set().union(*(_names(e) for _, e in records[j]))
                j += step
        drawn = near or everything
        for sentence in sentences(cell.source):
            for word in set(encoding_words(sentence)) - drawn:
                where = "the figures next to it draw" if near else "no figure of the notebook draws it;"
                problems.append(f"notebook {name}, cell {index}: {word!r}, but {where} "
                                f"{sorted(drawn) if near else ''}: {sentence!r}")
    return problems


def _has_encodings(notebook):
    return any(True for c in notebook.cells if c.cell_type == "code" for _ in figure_records(c))


# --- the tests --------------------------------------------------------------------------------

def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_notebook_name)
def test_every_number_in_the_prose_is_printed_or_allowed(path):
    problems = unbacked_numbers(_read(path), _notebook_name(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_notebook_name)
def test_every_encoding_word_names_what_the_figure_draws(path):
    notebook = _read(path)
    if not _has_encodings(notebook):
        pytest.skip("the stored outputs carry no figure encodings yet (re-run with run-notebooks)")
    problems = wrong_encoding_words(notebook, _notebook_name(path))
    assert not problems, "\n".join(problems)


def test_the_allow_list_is_small_and_every_entry_has_a_reason():
    assert len(ALLOWED) <= 40
    assert all(isinstance(reason, str) and len(reason) > 10 for reason in ALLOWED.values())


# --- the test of the test ---------------------------------------------------------------------

def _planted(markdown_sentence, cell_index):
    notebook = _read(NOTEBOOKS[0])
    notebook = copy.deepcopy(notebook)
    assert notebook.cells[cell_index].cell_type == "markdown"
    notebook.cells[cell_index].source += "\n\n" + markdown_sentence
    return notebook


def test_a_planted_false_number_fails_with_notebook_cell_and_sentence():
    sentence = "The loss here is 0.06124871, printed above."
    before = unbacked_numbers(_read(NOTEBOOKS[0]), "01")
    problems = [p for p in unbacked_numbers(_planted(sentence, 5), "01") if p not in before]
    assert problems == [f"notebook 01, cell 5: '0.06124871' is not printed in this notebook: "
                        f"{sentence!r}"]


def test_a_sentence_naming_another_notebook_may_use_its_printouts():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("As in notebook 01, 111 calls. Elsewhere, 111 calls.")])
    problems = unbacked_numbers(notebook, "04", backing_of=lambda name: read_numbers("111") if name == "01" else [])
    assert len(problems) == 1 and "Elsewhere, 111 calls." in problems[0]


def test_a_number_shown_more_precisely_than_printed_fails():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The loss is 0.0559, or 0.05588 to five places."),
        nbformat.v4.new_code_cell("print(f'{loss:.4f}')", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="0.0559\n")])])
    problems = unbacked_numbers(notebook, "xx")
    assert len(problems) == 1 and "'0.05588'" in problems[0]


@pytest.mark.parametrize("claim, printed, backed", [
    ("0.0559", "0.05587807", True), ("0.0558", "0.05587807", False),
    ("6,000", "5,987", True), ("6,001", "6,000", False), ("$2 \\times 10^{20}$", "2.05e+20", True),
    ("4.2·10⁻¹⁸", "4.248e-18", True), ("4.3·10⁻¹⁸", "4.248e-18", False),
    ("$-1.2$", "-1.2000", True), ("97.5%", "0.975", True), ("12%", "0.975", False),
    ("$10^{-5}$", "1e-05", True), ("10⁻⁵", "1e-06", False), ("100 000 calls", "100000", True),
])
def test_a_claim_is_backed_only_at_its_precision(claim, printed, backed):
    claims = read_numbers(prose_text(claim), whole_zeros_count=False)
    assert len(claims) == 1, claims
    assert backs(claims[0], read_numbers(printed)[0]) is backed


@pytest.mark.parametrize("prose", [
    "In notebook 02, Exercise 3 asks for BP1–BP4.", "the digits (Alpaydin and Kaynak, 1998)", "the weight $W^{(3)}_{21}$ and $w_{11}$",
    "`eps = 1e-5` in code", "w₁₁⁽¹⁾ and δ⁽²⁾ and x²", "a float64 array, the 1st row",
    r"$\tfrac12 (a - y)^2$", "see [the guide](https://example.org/v2.5)",
])
def test_indices_references_and_code_are_not_claims(prose):
    assert read_numbers(prose_text(prose), whole_zeros_count=False) == []


def test_powers_of_two_and_ten_are_numbers():
    (power,) = read_numbers(prose_text("the unit round-off 2⁻⁵³"), whole_zeros_count=False)
    assert power.text == "2^-53" and power.value == Decimal(2) ** -53
    (ten,) = read_numbers(prose_text("$\\varepsilon = 3 \\times 10^{-4}$"), whole_zeros_count=False)
    assert ten.value == Decimal("3e-4") and ten.place == -4


def test_a_planted_wrong_encoding_word_fails():
    # notebook 01's cell 44 introduces the timing figure, drawn with solid, dashed and dotted
    # lines but no dash-dotted one
    notebook = _read(NOTEBOOKS[0])
    if not _has_encodings(notebook):
        pytest.skip("notebook 01's stored outputs carry no figure encodings yet")
    index = next(i for i, c in enumerate(notebook.cells)
                 if c.cell_type == "code" and "plot_gradient_cost" in c.source) - 1
    assert not [p for p in wrong_encoding_words(notebook, "01") if f"cell {index}:" in p]
    notebook.cells[index].source += "\n\nThe dash-dotted line is backpropagation."
    problems = [p for p in wrong_encoding_words(notebook, "01") if f"cell {index}:" in p]
    assert len(problems) == 1 and "'dash-dotted'" in problems[0]
    assert "The dash-dotted line is backpropagation." in problems[0]


def test_a_planted_wrong_word_in_an_alt_text_fails():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show_figure(...)", outputs=[
        nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"}, metadata={
            "image/png": {"alt": "A dashed red line.",
                          "encoding": {"line_styles": ["dotted"], "colours": ["red", "vermillion"]}}})])])
    problems = wrong_encoding_words(notebook, "xx")
    assert len(problems) == 1 and "'dashed'" in problems[0] and "cell 0" in problems[0]


def test_figure_encoding_names_line_styles_and_colours():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], ":", color=OKABE_ITO["vermillion"])
    ax.plot([0, 1], [1, 0], linestyle=(0, (6, 2, 1, 2)), color="0.5")
    ax.plot([0, 1], [1, 1], "o", linestyle="", color=OKABE_ITO["sky_blue"])
    encoding = figure_encoding(fig)
    plt.close(fig)
    assert encoding == {"line_styles": ["dash-dotted", "dotted"],
                        "colours": ["blue", "grey", "red", "sky blue", "vermillion"]}


@pytest.mark.parametrize("pattern, name", [
    ((0, None), "solid"), ((0, (3.7, 1.6)), "dashed"), ((0, (1, 1.65)), "dotted"),
    ((0, (1, 3)), "dotted"), ((0, (6.4, 1.6, 1, 1.6)), "dash-dotted")])
def test_dash_patterns_have_their_names(pattern, name):
    assert dash_name(pattern) == name


@pytest.mark.parametrize("colour, names", [
    ("#E69F00", ("orange",)), ("white", ("white",)), ("0.6", ("grey",)), ("#d62728", ("red",)),
    ((0, 0, 0, 0), ())])
def test_colours_have_their_names(colour, names):
    assert colour_names(colour) == names
