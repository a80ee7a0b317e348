package dev.reprise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a command's options as qemu-user does: option, environment variable, current default
 * and description in columns. An option's environment variable is the one its default value
 * names ({@code defaultValue = "${env:NAME:-fallback}"}).
 */
final class OptionTable implements CommandLine.IHelpSectionRenderer {
    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)");

    /** Installs the table in place of picocli's option list, for the command and its subcommands. */
    static void install(CommandLine cl) {
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, new OptionTable());
        cl.getSubcommands().values().forEach(OptionTable::install);
    }

    @Override
    public String render(CommandLine.Help help) {
        CommandSpec spec = help.commandSpec();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Option", "Environment", "Default", "Description"});
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            String names = String.join(", ", o.names()) + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
            String raw = o.defaultValueString(false);
            Matcher m = raw == null ? null : ENV.matcher(raw);
            String env = m != null && m.find() ? m.group(1) : "";
            Object value = o.getValue();
            String current = o.arity().max() == 0 && !(value instanceof Boolean) ? ""
                    : value == null || value instanceof List<?> l && l.isEmpty() ? "" : String.valueOf(value);
            if (o.usageHelp() || o.versionHelp()) current = "";
            rows.add(new String[] {names, env, current, String.join(" ", o.description())});
        }
        int[] width = new int[4];
        for (String[] r : rows) for (int i = 0; i < 3; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append("  ");
            for (int i = 0; i < 3; i++) sb.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
            sb.append(r[3]).append('\n');
        }
        return sb.toString();
    }
}
