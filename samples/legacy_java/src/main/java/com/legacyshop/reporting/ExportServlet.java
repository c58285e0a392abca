package com.legacyshop.reporting;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.web.context.support.WebApplicationContextUtils;

/** CSV export for the finance spreadsheet macros. */
@WebServlet("/export/sales.csv")
public class ExportServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ReportService reports = WebApplicationContextUtils
                .getRequiredWebApplicationContext(getServletContext()).getBean(ReportService.class);
        response.setContentType("text/csv");
        PrintWriter out = response.getWriter();
        for (Map<String, Object> row : reports.lastDays(90)) {
            out.println(row.get("day") + ";" + row.get("sku") + ";" + row.get("revenue"));
        }
    }
}
