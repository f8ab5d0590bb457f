-- Drives `tallyman lsp` from Neovim's built-in LSP client (0.7 and later):
-- opens the Dockerfile, waits for diagnostics, applies the code action
-- "Ignore HD009 for this instruction", waits for the new diagnostics, and
-- writes what it saw to $LSP_OUT as JSON. Exits non-zero on any failure.

local function env(name)
  local value = os.getenv(name)
  assert(value and value ~= '', name .. ' is not set')
  return value
end

local function summary(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, {
      line = d.lnum,
      code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
      severity = d.severity,
      source = d.source,
    })
  end
  table.sort(out, function(a, b)
    if a.line ~= b.line then return a.line < b.line end
    return tostring(a.code) < tostring(b.code)
  end)
  return out
end

local function has(buf, code)
  for _, d in ipairs(summary(buf)) do
    if d.code == code then return true end
  end
  return false
end

local function main()
  vim.cmd('edit ' .. vim.fn.fnameescape(env('LSP_FILE')))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'tallyman',
    cmd = { env('TALLYMAN'), 'lsp', '--cache-dir', env('LSP_CACHE') },
    root_dir = env('LSP_ROOT'),
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(buf, client_id)

  assert(vim.wait(180000, function() return has(buf, 'HD009') end, 20),
    'no HD009 diagnostic arrived')
  local before = summary(buf)

  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == 'HD009' then target = d end
  end
  local range = {
    start = { line = target.lnum, character = target.col },
    ['end'] = { line = target.end_lnum, character = target.end_col },
  }
  local client = vim.lsp.get_client_by_id(client_id)
  local response = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = range,
    context = { diagnostics = { {
      range = range,
      message = target.message,
      code = 'HD009',
      source = target.source,
      severity = target.severity,
    } } },
  }, 30000, buf)
  assert(response and not response.err, 'codeAction failed: ' .. vim.inspect(response))
  local titles, chosen = {}, nil
  for _, action in ipairs(response.result or {}) do
    table.insert(titles, action.title)
    if action.title:find('^Ignore HD009 for this instruction') then chosen = action end
  end
  assert(chosen, 'no ignore action among ' .. vim.inspect(titles))
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or 'utf-16')

  assert(vim.wait(60000, function()
    return not has(buf, 'HD009') and has(buf, 'HD010')
  end, 20), 'HD009 still reported after the pragma: ' .. vim.inspect(summary(buf)))

  local result = {
    before = before,
    actions = titles,
    after = summary(buf),
    lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  }
  vim.fn.writefile({ vim.fn.json_encode(result) }, env('LSP_OUT'))
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, err = pcall(main)
if not ok then
  io.stderr:write('neovim.lua: ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
vim.cmd('qall!')
