"""The text layer: everything ecoplan knows of Chinese plan text, and nothing of the output schema.

    document    the span-aware Document, its typed blocks and the offset map back to the input
    normalise   normalise() and fold(): layout artefacts out, blocks typed once
    lexicon     numerals, place suffixes, punctuation, brackets, spaces; word lists from vocab data
    markers     the one marker grammar (headings, date lines, attachment lines)
    clauses     the bracket- and quote-aware clause and list scanner
    quantities  numbers with their units, Chinese numerals
    bodies      the body-word lexicon and the splitting of lists of names
    patterns    lazy_re / lazy_regex: every pattern is compiled on first use, not at start-up
    records     rule_record: a stage's rules (patterns, word sets) as a record made once, cheap to define
"""
