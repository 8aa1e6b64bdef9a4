using System.Text;

namespace WssKit.Cli.Connect;

/// <summary>
/// A terminal prompt with line editing and history (Up/Down, Left/Right, Home/End, Backspace, Delete, Ctrl+U), and a
/// way to print lines above it while the user types (messages arriving). Ctrl+D on an empty line and Ctrl+C end it.
/// </summary>
internal sealed class LineEditor(string prompt)
{
    private readonly List<string> _history = [];
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();
    private int _cursor;
    private int _recall;

    /// <summary>Reads one line (null at the end of input), giving up when <paramref name="stop"/> completes.</summary>
    public async Task<string?> ReadLineAsync(Task stop)
    {
        var reading = Task.Run(ReadLine);
        var first = await Task.WhenAny(reading, stop);
        return first == reading ? await reading : null;
    }

    /// <summary>Prints a line above the prompt, then draws the prompt and what was typed again.</summary>
    public void WriteAbove(string text)
    {
        lock (_gate)
        {
            Console.Write("\r\x1b[K");
            Console.WriteLine(text);
            Redraw();
        }
    }

    private string? ReadLine()
    {
        lock (_gate)
        {
            _line.Clear();
            _cursor = 0;
            _recall = _history.Count;
            Redraw();
        }
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            lock (_gate)
            {
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        var text = _line.ToString();
                        Console.Write("\r\x1b[K");
                        if (text.Length > 0 && (_history.Count == 0 || _history[^1] != text))
                        {
                            _history.Add(text);
                        }
                        return text;
                    case ConsoleKey.Backspace when _cursor > 0:
                        _line.Remove(--_cursor, 1);
                        break;
                    case ConsoleKey.Delete when _cursor < _line.Length:
                        _line.Remove(_cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when _cursor > 0:
                        _cursor--;
                        break;
                    case ConsoleKey.RightArrow when _cursor < _line.Length:
                        _cursor++;
                        break;
                    case ConsoleKey.Home:
                        _cursor = 0;
                        break;
                    case ConsoleKey.End:
                        _cursor = _line.Length;
                        break;
                    case ConsoleKey.UpArrow when _recall > 0:
                        Recall(--_recall);
                        break;
                    case ConsoleKey.DownArrow when _recall < _history.Count:
                        Recall(++_recall);
                        break;
                    default:
                        if (key.Modifiers.HasFlag(ConsoleModifiers.Control))
                        {
                            if (key.Key == ConsoleKey.C || (key.Key == ConsoleKey.D && _line.Length == 0))
                            {
                                Console.Write("\r\x1b[K");
                                return null;
                            }
                            if (key.Key == ConsoleKey.U)
                            {
                                _line.Clear();
                                _cursor = 0;
                            }
                        }
                        else if (!char.IsControl(key.KeyChar))
                        {
                            _line.Insert(_cursor++, key.KeyChar);
                        }
                        break;
                }
                Redraw();
            }
        }
    }

    private void Recall(int index)
    {
        _line.Clear().Append(index < _history.Count ? _history[index] : "");
        _cursor = _line.Length;
    }

    private void Redraw()
    {
        Console.Write($"\r\x1b[K{prompt}{_line}");
        var back = _line.Length - _cursor;
        if (back > 0)
        {
            Console.Write($"\x1b[{back}D");
        }
    }
}
