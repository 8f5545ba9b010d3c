"""The job supply list (岗位供给清单): what the public asks of it and how a job is worded, and the day wage that
compares jobs paid by the day, the hour or the month. Pure; the list's rows are the read models'."""
