# Prints each directive of an nginx configuration on a line of its own, after
# the blocks it is in ("http > server > location = /status > deny all"), and
# each block's opening ("... > types {"). Comments and spacing are dropped;
# quoted strings are kept as written. -v ctx=http puts it all inside http.
BEGIN { depth = 0; if (ctx != "") block[++depth] = ctx }

function path(   p, i) {
    p = ""
    for (i = 1; i <= depth; i++) p = p block[i] " > "
    return p
}
function word_end() { if (cur != "" && cur !~ / $/) cur = cur " " }
function trimmed(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }

{
    for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (quote != "") {
            cur = cur c
            if (c == "\\") { i++; cur = cur substr($0, i, 1) }
            else if (c == quote) quote = ""
        } else if (c == "\"" || c == "'") { quote = c; cur = cur c }
        else if (c == "#") break
        else if (c == " " || c == "\t") word_end()
        else if (c == ";") { print path() trimmed(cur); cur = "" }
        else if (c == "{") { print path() trimmed(cur) " {"; block[++depth] = trimmed(cur); cur = "" }
        else if (c == "}") { depth--; cur = "" }
        else cur = cur c
    }
    if (quote == "") word_end()
}
